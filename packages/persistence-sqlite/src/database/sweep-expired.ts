import {
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
  counts.transactions = deleteInBatches(db, transactions, sql`${transactions.expiresAt} <= ${now}`)
  counts.codes = deleteInBatches(db, codes, sql`${codes.expiresAt} <= ${now}`)
  counts.tokens = deleteInBatches(db, tokens, sql`${tokens.expiresAt} <= ${now}`)
  counts.sessions = deleteInBatches(db, sessions, sql`${sessions.expiresAt} <= ${now}`)
  counts.revokedFamilies = deleteInBatches(db, revokedFamilies, sql`${revokedFamilies.expiresAt} <= ${now}`)
  deleteInBatches(db, sessionLocks, sql`${sessionLocks.expiresAt} <= ${now}`)
  counts.clients = deleteInBatches(
    db,
    clients,
    sql`${clients.issuedAt} <= ${now - UNUSED_CLIENT_MS}
      AND NOT EXISTS (SELECT 1 FROM ${tokens} WHERE ${tokens.clientId} = ${clients.clientId})
      AND NOT EXISTS (SELECT 1 FROM ${codes} WHERE ${codes.clientId} = ${clients.clientId})
      AND NOT EXISTS (SELECT 1 FROM ${transactions} WHERE ${transactions.clientId} = ${clients.clientId})`,
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
