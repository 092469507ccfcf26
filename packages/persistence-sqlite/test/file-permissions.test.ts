import assert from 'node:assert/strict'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tokenRecord } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { modeOf, octal } from './helpers/files.js'
import { generatedKeyFile, tempFolder } from './helpers/temp-database.js'

test('a new database gets 0700 folders and 0600 database, -wal, -shm and key files, whatever the umask', async () => {
  const root = tempFolder()
  const path = join(root, 'state', 'mxcp', 'oauth.db')
  // The most permissive umask: nothing may rely on it to keep the files private.
  const umask = process.umask(0o000)
  const store = await openSqliteStore({ path }).finally(() => process.umask(umask))
  try {
    await store.saveTokens([tokenRecord()])
    for (const folder of [join(root, 'state'), join(root, 'state', 'mxcp')]) {
      assert.equal(octal(modeOf(folder)), '700', folder)
    }
    for (const file of [path, `${path}-wal`, `${path}-shm`, generatedKeyFile(path)]) {
      assert.ok(existsSync(file), `${file} exists while the store is open`)
      assert.equal(octal(modeOf(file)), '600', file)
    }
  } finally {
    await store.close()
  }
})

test('an existing folder keeps its mode; looser existing database, -wal, -shm and key files are tightened', async () => {
  const root = tempFolder()
  const folder = join(root, 'shared')
  mkdirSync(folder, { mode: 0o755 })
  chmodSync(folder, 0o755)
  const path = join(folder, 'oauth.db')
  const first = await openSqliteStore({ path })
  await first.saveTokens([tokenRecord()])
  await first.close()
  chmodSync(path, 0o644)
  chmodSync(generatedKeyFile(path), 0o644)

  // A second connection keeps -wal and -shm alive, so they exist with a loose mode at the next start.
  const holder = await openSqliteStore({ path })
  await holder.saveTokens([tokenRecord()])
  chmodSync(path, 0o644)
  chmodSync(`${path}-wal`, 0o664)
  chmodSync(`${path}-shm`, 0o666)

  const store = await openSqliteStore({ path })
  try {
    assert.equal(octal(modeOf(folder)), '755', 'a folder we did not create is not ours to change')
    for (const file of [path, `${path}-wal`, `${path}-shm`, generatedKeyFile(path)]) {
      assert.equal(octal(modeOf(file)), '600', file)
    }
  } finally {
    await store.close()
    await holder.close()
  }
})
