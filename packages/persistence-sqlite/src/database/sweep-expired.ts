import {
  EXPIRING_KINDS,
  emptySweepCounts,
  SWEEP_BATCH,
  SWEEP_MAX_BATCHES,
  type SweepCounts,
  UNUSED_CLIENT_MS,
} from '@mxcp/auth-core/store-kit'
import { type SQL, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { StoreDatabase } from './open-database.js'
import { clients, codes, revokedFamilies, sessionLocks, sessions, tokens, transactions } from './schema.js'

/**
 * Deletes every row whose `expires_at` is not after `now`, and registered clients nobody uses
 * (see `UNUSED_CLIENT_MS`), table by table in batches of `SWEEP_BATCH` (each its own short write
 * transaction, so another process never waits long for the write lock), at most
 * `SWEEP_MAX_BATCHES` per table. A used code is kept until it expires like any other, so its
 * replay is still recognised until then.
 */
export function sweepExpiredRows(db: StoreDatabase, now: number): SweepCounts {
  const counts = emptySweepCounts()
  const expiring = { transactions, codes, tokens, sessions, revokedFamilies }
  for (const kind of EXPIRING_KINDS)
    counts[kind] = deleteInBatches(db, expiring[kind], sql`${expiring[kind].expiresAt} <= ${now}`)
  deleteInBatches(db, sessionLocks, sql`${sessionLocks.expiresAt} <= ${now}`)
  // Every client that anything still refers to, in one list SQLite builds once per statement.
  const inUse = sql`SELECT ${tokens.clientId} FROM ${tokens} UNION SELECT ${codes.clientId} FROM ${codes}
    UNION SELECT ${transactions.clientId} FROM ${transactions}`
  const registeredBefore = now - UNUSED_CLIENT_MS
  counts.clients = deleteInBatches(
    db,
    clients,
    sql`${clients.issuedAt} <= ${registeredBefore} AND ${clients.clientId} NOT IN (${inUse})`,
  )
  return counts
}

function deleteInBatches(db: StoreDatabase, table: SQLiteTable, condition: SQL): number {
  let total = 0
  for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
    const { changes } = db.run(
      sql`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${condition} LIMIT ${SWEEP_BATCH})`,
    )
    total += changes
    if (changes < SWEEP_BATCH) break
  }
  return total
}
