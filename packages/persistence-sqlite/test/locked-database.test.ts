import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StoreUnavailableError } from '@mxcp/auth-core'
import { codeRecord, sessionRecord, T0, tokenRecord, transactionRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const BUSY_TIMEOUT_MS = 100

/** Another connection (as another process would) holding the write lock until released. */
function holdWriteLock(path: string): { release(): void } {
  const other = new Database(path)
  other.exec('BEGIN IMMEDIATE')
  return {
    release() {
      other.exec('ROLLBACK')
      other.close()
    },
  }
}

const isUnavailable = (path: string) => (error: unknown) => {
  assert.ok(error instanceof StoreUnavailableError, String(error))
  assert.match(error.message, /is locked \(SQLITE_BUSY/)
  assert.ok(error.message.includes(path))
  return true
}

test('writes blocked past the busy timeout throw StoreUnavailableError and store nothing', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key', busyTimeoutMs: BUSY_TIMEOUT_MS })
  const token = tokenRecord()
  const session = sessionRecord()
  const transaction = transactionRecord()
  const lock = holdWriteLock(path)
  try {
    const started = performance.now()
    await assert.rejects(store.saveTokens([token]), isUnavailable(path))
    assert.ok(performance.now() - started >= BUSY_TIMEOUT_MS * 0.9, 'it waited for the busy timeout first')
    await assert.rejects(store.saveSession(session), isUnavailable(path))
    await assert.rejects(store.saveTransaction(transaction), isUnavailable(path))
  } finally {
    lock.release()
  }
  try {
    assert.equal(await store.getToken(token.tokenHash), undefined)
    assert.equal(await store.getSession(session.sessionId), undefined)
    assert.equal(await store.consumeTransaction(transaction.id, T0), undefined)
  } finally {
    await store.close()
  }
})

test('a code or refresh token cannot be used while the database is locked, and stays usable after', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key', busyTimeoutMs: BUSY_TIMEOUT_MS })
  const code = codeRecord()
  const refresh = tokenRecord({ kind: 'refresh' })
  await store.saveCode(code)
  await store.saveTokens([refresh])
  const lock = holdWriteLock(path)
  try {
    await assert.rejects(
      store.exchangeCode(code.codeHash, T0, 0, () => []),
      isUnavailable(path),
    )
    await assert.rejects(
      store.rotateRefresh(refresh.tokenHash, T0, 0, () => []),
      isUnavailable(path),
    )
    await assert.rejects(store.revokeFamily(refresh.familyId), isUnavailable(path))
  } finally {
    lock.release()
  }
  try {
    assert.equal((await store.exchangeCode(code.codeHash, T0, 0, () => [])).outcome, 'consumed')
    assert.equal((await store.rotateRefresh(refresh.tokenHash, T0, 0, () => [])).outcome, 'rotated')
  } finally {
    await store.close()
  }
})

test('token validation still reads while another connection holds the write lock (WAL)', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key', busyTimeoutMs: BUSY_TIMEOUT_MS })
  const token = tokenRecord()
  const session = sessionRecord()
  await store.saveTokens([token])
  await store.saveSession(session)
  const lock = holdWriteLock(path)
  const reads = Promise.all([store.getToken(token.tokenHash), store.getSession(session.sessionId)])
  const [readToken, readSession] = await reads.finally(async () => {
    lock.release()
    await store.close()
  })
  assert.deepEqual(readToken, token)
  assert.deepEqual(readSession, session)
})

test('start-up on a database locked past the busy timeout fails with a message naming the file', async () => {
  const path = tempDatabasePath()
  await (await openSqliteStore({ path, encryptionKey: 'test-key' })).close()
  const other = new Database(path)
  // An exclusive lock outside WAL's shared memory: even readers must wait.
  other.pragma('locking_mode = EXCLUSIVE')
  other.exec('BEGIN EXCLUSIVE')
  try {
    await assert.rejects(
      openSqliteStore({ path, encryptionKey: 'test-key', busyTimeoutMs: BUSY_TIMEOUT_MS }),
      (error: unknown) => {
        assert.ok(error instanceof Error)
        assert.ok(error.message.includes(path), error.message)
        assert.match(error.message, /SQLITE_BUSY/)
        return true
      },
    )
  } finally {
    other.exec('ROLLBACK')
    other.close()
  }
})
