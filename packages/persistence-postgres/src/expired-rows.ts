import { lte, sql } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { sweepLockKey } from './advisory-key.js'
import type { Tables } from './schema/define-tables.js'

/**
 * Deletes every row whose time is up at `now`. A used code stays until its own expiry (the codes
 * table keeps used ones flagged), so a late replay is still recognised until then.
 */
export async function deleteExpiredRows(db: NodePgDatabase, tables: Tables, now: number): Promise<void> {
  const { transactions, codes, tokens, revokedFamilies, sessions } = tables
  await db.delete(transactions).where(lte(transactions.expiresAt, now))
  await db.delete(codes).where(lte(codes.expiresAt, now))
  await db.delete(tokens).where(lte(tokens.expiresAt, now))
  await db.delete(sessions).where(lte(sessions.expiresAt, now))
  await db.delete(revokedFamilies).where(lte(revokedFamilies.expiresAt, now))
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
): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${sweepLockKey(schema)}::bigint)`)
  await deleteExpiredRows(db, tables, now)
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
): Promise<boolean> {
  const result = await db.execute<{ locked: boolean }>(
    sql`select pg_try_advisory_xact_lock(${sweepLockKey(schema)}::bigint) as locked`,
  )
  if (result.rows[0]?.locked !== true) return false
  await deleteExpiredRows(db, tables, now)
  return true
}
