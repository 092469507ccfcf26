import {
  EXPIRING_KINDS,
  emptySweepCounts,
  inBatches,
  SWEEP_BATCH,
  type SweepCounts,
  UNUSED_CLIENT_MS,
} from '@mxcp/auth-core/store-kit'
import { type SQL, sql } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { PgTable } from 'drizzle-orm/pg-core'
import { sweepLockKey } from './advisory-key.js'
import type { Tables } from './schema/define-tables.js'

/**
 * Deletes every row whose time is up at `now`, and registered clients nobody uses (see
 * `UNUSED_CLIENT_MS`), in batches of `SWEEP_BATCH` rows per statement (each well inside the
 * statement timeout), at most `SWEEP_MAX_BATCHES` per table. A used code stays until its own expiry
 * (the codes table keeps used ones flagged), so a late replay is still recognised until then.
 */
export async function deleteExpiredRows(
  db: NodePgDatabase,
  tables: Tables,
  now: number,
): Promise<SweepCounts> {
  const { transactions, codes, tokens, clients } = tables
  const counts = emptySweepCounts()
  for (const kind of EXPIRING_KINDS) {
    const table = tables[kind]
    counts[kind] = await deleteInBatches(db, table, sql`${table.expiresAt} <= ${now}`)
  }
  counts.clients = await deleteInBatches(
    db,
    clients,
    sql`${clients.issuedAt} <= ${now - UNUSED_CLIENT_MS}
      and not exists (select 1 from ${tokens} where ${tokens.clientId} = ${clients.clientId})
      and not exists (select 1 from ${codes} where ${codes.clientId} = ${clients.clientId})
      and not exists (select 1 from ${transactions} where ${transactions.clientId} = ${clients.clientId})`,
  )
  return counts
}

function deleteInBatches(db: NodePgDatabase, table: PgTable, condition: SQL): Promise<number> {
  return inBatches(async () => {
    const result = await db.execute(
      sql`delete from ${table} where ctid in (select ctid from ${table} where ${condition} limit ${SWEEP_BATCH})`,
    )
    return result.rowCount ?? 0
  })
}

/**
 * A sweep on request (`OAuthStore.sweepExpired`, which the auth plugin also calls on its own timer
 * on every replica), run inside a transaction: it waits for the schema's sweep lock
 * (`pg_advisory_xact_lock`), so replicas sweep one after the other, never together, and every
 * row expired at `now` is gone when it returns.
 */
export async function sweepInTurn(
  db: NodePgDatabase,
  tables: Tables,
  schema: string,
  now: number,
): Promise<SweepCounts> {
  await db.execute(sql`select pg_advisory_xact_lock(${sweepLockKey(schema)}::bigint)`)
  return deleteExpiredRows(db, tables, now)
}

/**
 * The periodic sweep's body, run inside a transaction: it takes the schema's sweep lock with
 * `pg_try_advisory_xact_lock`, and if another replica holds it, returns false at once and leaves the
 * work to that one. The lock ends with the transaction.
 */
export async function sweepIfFirst(
  db: NodePgDatabase,
  tables: Tables,
  schema: string,
  now: number,
): Promise<SweepCounts | false> {
  const result = await db.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(${sweepLockKey(schema)}::bigint) as locked`,
  )
  if (result.rows[0]?.locked !== true) return false
  return deleteExpiredRows(db, tables, now)
}
