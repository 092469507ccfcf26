import type { SingleUseRecords, WindowCount } from '@mxcp/auth-core/store-kit'
import type pg from 'pg'
import { quoteIdentifier } from './migrate.js'
import { toStoreError } from './store-errors.js'
import { runInTransaction } from './transaction.js'

/**
 * `SingleUseRecords` on PostgreSQL, shared by every replica. A claim is one `INSERT … ON CONFLICT
 * DO UPDATE … WHERE expired`: under READ COMMITTED a concurrent claim of the same key waits for the
 * first to commit, re-checks the condition on the new row and returns nothing. A claim with a limit
 * takes a transaction-scoped advisory lock on its kind, so counting and inserting are one step.
 * The tables (`single_use`, `rate_windows`) come with the migrations (`schema/define-tables.ts`).
 */
export class PostgresSingleUse implements SingleUseRecords {
  readonly #pool: pg.Pool
  readonly #table: string
  readonly #windows: string
  readonly #target: string

  constructor(pool: pg.Pool, schema: string, target: string) {
    this.#pool = pool
    this.#table = `${quoteIdentifier(schema)}.single_use`
    this.#windows = `${quoteIdentifier(schema)}.rate_windows`
    this.#target = target
  }

  async claimOnce(
    kind: string,
    key: string,
    expiresAt: number,
    now: number,
    limit?: number,
  ): Promise<boolean> {
    const insert = `INSERT INTO ${this.#table} (kind, key, expires_at) VALUES ($1, $2, $3)
      ON CONFLICT (kind, key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ${this.#table}.expires_at <= $4
      RETURNING 1`
    return this.#run('claimOnce', async () => {
      if (limit === undefined)
        return ((await this.#pool.query(insert, [kind, key, expiresAt, now])).rowCount ?? 0) === 1
      return runInTransaction(this.#pool, async (client) => {
        await client.query("SELECT pg_advisory_xact_lock(hashtext('mxcp_single_use:' || $1))", [kind])
        const live = await client.query(
          `SELECT count(*)::int AS n FROM ${this.#table} WHERE kind = $1 AND expires_at > $2 AND key <> $3`,
          [kind, now, key],
        )
        return (
          Number(live.rows[0]?.n ?? 0) < limit &&
          ((await client.query(insert, [kind, key, expiresAt, now])).rowCount ?? 0) === 1
        )
      })
    })
  }

  async releaseClaims(key: string): Promise<void> {
    await this.#run('releaseClaims', () =>
      this.#pool.query(`DELETE FROM ${this.#table} WHERE key = $1`, [key]),
    )
  }

  async countHit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    const result = await this.#run('countHit', () =>
      this.#pool.query(
        `INSERT INTO ${this.#windows} AS w (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN w.reset_at <= $2 THEN 1 ELSE w.count + 1 END,
           reset_at = CASE WHEN w.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE w.reset_at END
         RETURNING count, reset_at`,
        [key, now, windowMs],
      ),
    )
    const row = result.rows[0] as { count: number; reset_at: string } | undefined
    return { count: Number(row?.count ?? 1), resetAt: Number(row?.reset_at ?? now + windowMs) }
  }

  async setClaimExpiry(kind: string, key: string, expiresAt: number): Promise<void> {
    await this.#run('setClaimExpiry', () =>
      this.#pool.query(
        `INSERT INTO ${this.#table} (kind, key, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, key) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
        [kind, key, expiresAt],
      ),
    )
  }

  async claimExpiry(kind: string, key: string): Promise<number | undefined> {
    const result = await this.#run('claimExpiry', () =>
      this.#pool.query(`SELECT expires_at FROM ${this.#table} WHERE kind = $1 AND key = $2`, [kind, key]),
    )
    const row = result.rows[0] as { expires_at: string } | undefined
    return row === undefined ? undefined : Number(row.expires_at)
  }

  async takeExpiredClaims(kind: string, now: number, limit: number): Promise<string[]> {
    const result = await this.#run('takeExpiredClaims', () =>
      this.#pool.query(
        `DELETE FROM ${this.#table} WHERE (kind, key) IN
           (SELECT kind, key FROM ${this.#table} WHERE kind = $1 AND expires_at <= $2 LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING key`,
        [kind, now, limit],
      ),
    )
    return (result.rows as { key: string }[]).map((row) => row.key)
  }

  async sweepSingleUse(now: number): Promise<void> {
    await this.#run('sweepSingleUse', async () => {
      await this.#pool.query(`DELETE FROM ${this.#table} WHERE expires_at <= $1`, [now])
      await this.#pool.query(`DELETE FROM ${this.#windows} WHERE reset_at <= $1`, [now])
    })
  }

  async #run<T>(operation: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      throw toStoreError(error, operation, this.#target)
    }
  }
}
