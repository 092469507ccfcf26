import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clientRecord, codeRecord, sessionRecord, tokenRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { lightCommits } from '../src/database/commit-durability.js'
import { SqliteSingleUse } from '../src/database/single-use.js'
import { openSqliteStore } from '../src/index.js'
import type { SqliteStore } from '../src/sqlite-store.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const MINUTE = 60_000

/** A store holding a registered client (leased until `now + 1 min`), a session and a fresh code. */
async function storeWithCode(now: number) {
  const store = (await openSqliteStore({ path: tempDatabasePath(), encryptionKey: 'k' })) as SqliteStore
  const client = clientRecord({ issuedAt: now })
  await store.saveClient(client)
  await store.singleUse.setClaimExpiry('client-lease', client.clientId, now + MINUTE)
  const session = sessionRecord({ createdAt: now, expiresAt: now + 60 * MINUTE })
  await store.saveSession(session)
  const code = codeRecord({
    clientId: client.clientId,
    sessionId: session.sessionId,
    createdAt: now,
    expiresAt: now + MINUTE,
  })
  await store.saveCode(code)
  const token = (kind: 'access' | 'refresh') =>
    tokenRecord({ ...code, kind, createdAt: now, expiresAt: now + MINUTE })
  return { store, client, code, token }
}

test('a lease renewed in flight inside the code exchange is committed with its tokens', async () => {
  const now = Date.now()
  const { store, client, code, token } = await storeWithCode(now)
  try {
    let renewal: Promise<void> | undefined
    const exchanged = await store.exchangeCode(code.codeHash, now, 0, () => {
      renewal = store.singleUse.setClaimExpiry('client-lease', client.clientId, now + 90 * MINUTE, {
        inFlight: true,
      })
      return [token('access')]
    })
    await renewal
    assert.equal(exchanged.outcome, 'consumed')
    assert.equal(await store.singleUse.claimExpiry('client-lease', client.clientId), now + 90 * MINUTE)
  } finally {
    await store.close()
  }
})

test('an exchange whose token save fails takes its in-flight lease renewal back with it', async () => {
  const now = Date.now()
  const { store, client, code, token } = await storeWithCode(now)
  try {
    const twice = token('access')
    let renewal: Promise<void> | undefined
    await assert.rejects(
      store.exchangeCode(code.codeHash, now, 0, () => {
        renewal = store.singleUse.setClaimExpiry('client-lease', client.clientId, now + 90 * MINUTE, {
          inFlight: true,
        })
        // The same token hash twice: the insert fails and the transaction rolls back.
        return [twice, twice]
      }),
    )
    await renewal
    assert.equal(await store.singleUse.claimExpiry('client-lease', client.clientId), now + MINUTE)
    const again = await store.exchangeCode(code.codeHash, now, 0, () => [token('access')])
    assert.equal(again.outcome, 'consumed', 'the code was not used up either')
  } finally {
    await store.close()
  }
})

test('outside a transaction an in-flight renewal is a light commit that leaves synchronous=FULL', async () => {
  const db = new Database(tempDatabasePath())
  try {
    db.exec(`CREATE TABLE single_use (kind TEXT, key TEXT, expires_at INTEGER, PRIMARY KEY (kind, key));
      CREATE TABLE rate_windows (key TEXT PRIMARY KEY, count INTEGER, reset_at INTEGER)`)
    db.pragma('synchronous = FULL')
    const seen: { light: number; durable: number; level: unknown[] } = { light: 0, durable: 0, level: [] }
    const light = lightCommits(db)
    const records = new SqliteSingleUse(
      db,
      (work) => {
        seen.durable++
        return work()
      },
      (work) =>
        light(() => {
          seen.light++
          seen.level.push(db.pragma('synchronous', { simple: true }))
          return work()
        }),
    )
    await records.setClaimExpiry('client-lease', 'c', 5, { inFlight: true })
    assert.deepEqual(seen, { light: 1, durable: 0, level: [1] }, 'committed at synchronous=NORMAL')
    assert.equal(await records.claimExpiry('client-lease', 'c'), 5)
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL again after')
    await records.setClaimExpiry('client-lease', 'c', 6)
    assert.equal(seen.durable, 1, 'without the hint: durable')
  } finally {
    db.close()
  }
})
