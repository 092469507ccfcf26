import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import {
  clientRecord,
  codeRecord,
  sessionRecord,
  tokenRecord,
  transactionRecord,
} from '@mxcp/auth-core/testing'
import { SQLiteDialect } from 'drizzle-orm/sqlite-core'
import { openSqliteStore } from '../src/index.js'
import type { SqliteStore } from '../src/sqlite-store.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const MINUTE = 60_000

/** Fresh tokens of the grant or token's client, session and family. */
function successor(
  of: { clientId: string; sessionId: string; familyId: string },
  kind: 'access' | 'refresh',
  now: number,
) {
  const { clientId, sessionId, familyId } = of
  return tokenRecord({ clientId, sessionId, familyId, kind, createdAt: now, expiresAt: now + MINUTE })
}

/** The store calls of one sign-in, in the order the server makes them (register to `/token`). */
async function signIn(store: SqliteStore, now: number): Promise<string> {
  const records = store.singleUse
  const client = clientRecord({ issuedAt: now })
  await records.countHit('rate:/register 127.0.0.1', MINUTE, now)
  await store.saveClient(client)
  await records.setClaimExpiry('client-lease', client.clientId, now + 60 * MINUTE)
  await records.claimExpiry('client-lease', client.clientId)
  await store.getClient(client.clientId)
  await records.claimOnce('consent-form', randomUUID(), now + MINUTE, now)
  const pending = randomUUID()
  await records.claimOnce('pending-client', pending, now + MINUTE, now, 5)
  const transaction = transactionRecord({
    clientId: client.clientId,
    createdAt: now,
    expiresAt: now + MINUTE,
  })
  await store.saveTransaction(transaction)
  assert.ok(await store.consumeTransaction(transaction.id, now))
  await records.releaseClaims(pending)
  const session = sessionRecord({ createdAt: now, expiresAt: now + 60 * MINUTE })
  await store.saveSession(session)
  const code = codeRecord({
    clientId: client.clientId,
    sessionId: session.sessionId,
    createdAt: now,
    expiresAt: now + MINUTE,
  })
  await store.saveCode(code)
  const exchanged = await store.exchangeCode(code.codeHash, now, MINUTE, (grant) => [
    successor(grant, 'access', now),
    successor(grant, 'refresh', now),
  ])
  assert.equal(exchanged.outcome, 'consumed')
  await records.setClaimExpiry('client-lease', client.clientId, now + 120 * MINUTE)
  const refresh =
    exchanged.outcome === 'consumed' ? exchanged.tokens.find((t) => t.kind === 'refresh') : undefined
  assert.ok(refresh)
  return refresh.tokenHash
}

/** Counts the SQL texts drizzle builds (every query it runs or prepares goes through `sqlToQuery`). */
function countBuilds(t: { after(fn: () => void): void }): () => number {
  const original = SQLiteDialect.prototype.sqlToQuery
  let builds = 0
  SQLiteDialect.prototype.sqlToQuery = function (this: SQLiteDialect, ...args) {
    builds++
    return original.apply(this, args)
  }
  t.after(() => {
    SQLiteDialect.prototype.sqlToQuery = original
  })
  return () => builds
}

test('a sign-in and a refresh build no SQL once their statements were prepared: the first of each prepares them', async (t) => {
  const builds = countBuilds(t)
  const store = (await openSqliteStore({
    path: tempDatabasePath(),
    encryptionKey: 'test-key',
  })) as SqliteStore
  try {
    const now = Date.now()
    const rotate = (hash: string) =>
      store.rotateRefresh(hash, now, MINUTE, (token) => [successor(token, 'refresh', now)])
    assert.equal((await rotate(await signIn(store, now))).outcome, 'rotated')
    const before = builds()
    assert.equal((await rotate(await signIn(store, now))).outcome, 'rotated')
    assert.equal(builds(), before)
  } finally {
    await store.close()
  }
})
