import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { tokenRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { openSqliteStore, SqliteStoreOpenError } from '../src/index.js'
import { runScript } from './helpers/run-script.js'
import { tempDatabasePath, tempFolder } from './helpers/temp-database.js'

const KEY = 'test-key'

/** Asserts that opening `path` fails with a SqliteStoreOpenError naming it and matching `pattern`. */
async function assertRefused(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(openSqliteStore({ path, encryptionKey: KEY }), (error: unknown) => {
    assert.ok(error instanceof SqliteStoreOpenError, String(error))
    assert.equal(error.path, path)
    assert.ok(error.message.includes(path), `the message names the file: ${error.message}`)
    assert.match(error.message, pattern)
    return true
  })
}

/** A closed database holding enough tokens to span many pages. */
async function populatedDatabase(): Promise<string> {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: KEY })
  await store.saveTokens(Array.from({ length: 2_000 }, () => tokenRecord()))
  await store.close()
  return path
}

test('a file that is not a database stops start-up, names the file, and is left byte for byte', async () => {
  const path = tempDatabasePath()
  const garbage = Buffer.concat([Buffer.from('definitely not SQLite\n'), randomBytes(8192)])
  writeFileSync(path, garbage, { mode: 0o600 })
  await assertRefused(path, /corrupt or not an SQLite database/)
  assert.deepEqual(readFileSync(path), garbage, 'never replaced by an empty database')
})

test('a database with a damaged page stops start-up (quick_check) and is left byte for byte', async () => {
  const path = await populatedDatabase()
  const pageSize = 4096
  const pages = statSync(path).size / pageSize
  assert.ok(pages > 10, `the database spans ${pages} pages`)
  const fd = openSync(path, 'r+')
  writeSync(fd, randomBytes(pageSize), 0, pageSize, Math.floor(pages / 2) * pageSize)
  closeSync(fd)
  const damaged = readFileSync(path)
  await assertRefused(path, /corrupt or not an SQLite database/)
  assert.deepEqual(readFileSync(path), damaged)
})

test('a corrupt database makes a start-up exit non-zero with the file named on stderr', async () => {
  const path = tempDatabasePath()
  writeFileSync(path, randomBytes(4096), { mode: 0o600 })
  const result = await runScript('./open-store-script.ts', [path, KEY])
  assert.notEqual(result.code, 0)
  assert.ok(result.stderr.includes(path), result.stderr)
  assert.match(result.stderr, /SqliteStoreOpenError/)
})

test('a healthy database opens in a separate process and exits 0 (the script itself works)', async () => {
  const path = await populatedDatabase()
  const result = await runScript('./open-store-script.ts', [path, KEY])
  assert.equal(result.code, 0, result.stderr)
})

test('a path that cannot be opened as a file stops start-up and names it', async () => {
  const folder = join(tempFolder(), 'oauth.db')
  mkdirSync(folder)
  await assertRefused(folder, /Cannot open the OAuth database/)
})

test('a database migrated by a newer release is refused rather than used', async () => {
  const path = await populatedDatabase()
  const raw = new Database(path)
  raw
    .prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
    .run('future', 32_503_680_000_000)
  raw.close()
  await assertRefused(path, /newer release/)
})
