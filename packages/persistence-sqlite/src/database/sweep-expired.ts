import { sql } from 'drizzle-orm'
import type { StoreDatabase } from './open-database.js'
import { codes, revokedFamilies, sessionLocks, sessions, tokens, transactions } from './schema.js'

/** Rows deleted per statement, so another process never waits long for the write lock. */
const SWEEP_BATCH = 1_000

/**
 * Deletes every row whose `expires_at` is not after `now`, table by table, in batches of
 * `SWEEP_BATCH` (each its own short write transaction). A used code is kept until it expires like
 * any other, so its replay is still recognised until then.
 */
export function sweepExpiredRows(db: StoreDatabase, now: number): void {
  for (const table of [transactions, codes, tokens, sessions, revokedFamilies, sessionLocks]) {
    for (;;) {
      const { changes } = db.run(
        sql`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${table.expiresAt} <= ${now} LIMIT ${SWEEP_BATCH})`,
      )
      if (changes < SWEEP_BATCH) break
    }
  }
}
