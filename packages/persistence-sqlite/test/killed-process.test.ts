import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { lightCommits } from '../src/database/commit-durability.js'
import { openSqliteStore } from '../src/index.js'
import type { SqliteStore } from '../src/sqlite-store.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const hash = (value: string): string => createHash('sha256').update(value).digest('hex')

/** Runs the write script on `path` until it says `written`, then kills it with SIGKILL. */
async function writeThenKill(path: string): Promise<void> {
  const script = fileURLToPath(new URL('./helpers/write-then-wait-script.ts', import.meta.url))
  const child = spawn(process.execPath, ['--conditions=@mxcp/source', '--import', 'tsx', script, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let stdout = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "written" within 30 s: ${stdout}`)), 30_000)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('written')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on('exit', (code) => reject(new Error(`the script exited (${code}) before writing: ${stdout}`)))
  })
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  const [code, signal] = await exited
  assert.equal(code, null)
  assert.equal(signal, 'SIGKILL')
}

test('a process killed right after a login answered: every write of it is there after the restart, the steps that skip the fsync included', async () => {
  const path = tempDatabasePath()
  await writeThenKill(path)
  const store = (await openSqliteStore({ path, encryptionKey: 'test-key' })) as SqliteStore
  try {
    const now = Date.now()
    assert.equal((await store.getClient('killed-client'))?.clientName, 'Killed')
    const lease = await store.singleUse.claimExpiry('client-lease', 'killed-client')
    assert.ok(lease !== undefined && lease > now + 3_600_000, 'the renewed lease')
    const token = await store.getToken(hash('access-token'))
    assert.equal(token?.sessionId, 'killed-session')
    assert.equal(token?.revoked, false)
    assert.equal((await store.getSession('killed-session'))?.upstream.accessToken, 'gho_upstream')
    const replay = await store.exchangeCode(hash('code'), now, 0, () => [])
    assert.equal(replay.outcome, 'replayed', 'the code stays used up')
    assert.equal(
      await store.singleUse.claimOnce('consent-form', hash('form'), now + 60_000, now),
      false,
      'the consent form stays used',
    )
    assert.equal(await store.consumeTransaction(hash('state-1'), now), undefined, 'taken once only')
    const pending = await store.consumeTransaction(hash('state-2'), now)
    assert.equal(pending?.upstreamCodeVerifier, 'upstream-verifier', 'the step after the last fsync too')
  } finally {
    await store.close()
  }
})

test('light commits leave the connection at synchronous=FULL, also when the work throws', () => {
  const db = new Database(tempDatabasePath())
  try {
    db.pragma('synchronous = FULL')
    const light = lightCommits(db)
    const inside = light(() => db.pragma('synchronous', { simple: true }))
    assert.equal(inside, 1, 'NORMAL inside')
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL after')
    assert.throws(() =>
      light(() => {
        throw new Error('boom')
      }),
    )
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL after a throw')
  } finally {
    db.close()
  }
})
