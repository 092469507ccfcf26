import type { SingleUseRecords, WindowCount } from '@mxcp/auth-core/store-kit'
import type Database from 'better-sqlite3'

/**
 * `SingleUseRecords` in the SQLite file, shared by every process that opens it. Each step is one
 * `BEGIN IMMEDIATE` transaction (the write lock first), so a claim, a limit check and a counted hit
 * are atomic across processes. `durable` and `light` both wrap driver errors as the store's own;
 * `light` commits without waiting for the disk (`lightCommits`): claims, counts and releases guard
 * steps in flight. Only a claim's expiry set outright (a registered client's lease) is `durable`.
 * The tables (`single_use`, `rate_windows`) come with the migrations (`schema.ts`).
 */
export class SqliteSingleUse implements SingleUseRecords {
  readonly #db: Database.Database
  readonly #run: <T>(work: () => T) => T
  readonly #durable: <T>(work: () => T) => T

  constructor(
    db: Database.Database,
    durable: <T>(work: () => T) => T,
    light: <T>(work: () => T) => T = durable,
  ) {
    this.#db = db
    this.#run = light
    this.#durable = durable
  }

  /** One `BEGIN IMMEDIATE` transaction: the limit checked and the claim taken together. */
  readonly claimOnce: SingleUseRecords['claimOnce'] = async (kind, key, expiresAt, now, limit) => {
    return this.#run(() =>
      this.#db
        .transaction(() => {
          if (limit !== undefined) {
            const live = this.#db
              .prepare('SELECT count(*) AS n FROM single_use WHERE kind = ? AND expires_at > ? AND key <> ?')
              .get(kind, now, key) as { n: number }
            if (live.n >= limit) return false
          }
          const changed = this.#db
            .prepare(
              `INSERT INTO single_use (kind, key, expires_at) VALUES (?, ?, ?)
               ON CONFLICT (kind, key) DO UPDATE SET expires_at = excluded.expires_at WHERE single_use.expires_at <= ?`,
            )
            .run(kind, key, expiresAt, now)
          return changed.changes === 1
        })
        .immediate(),
    )
  }

  async releaseClaims(key: string): Promise<void> {
    this.#run(() => this.#db.prepare('DELETE FROM single_use WHERE key = ?').run(key))
  }

  async countHit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    return this.#run(() => {
      const row = this.#db
        .prepare(
          `INSERT INTO rate_windows (key, count, reset_at) VALUES (@key, 1, @now + @window)
           ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
             reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
           RETURNING count, reset_at`,
        )
        .get({ key, now, window: windowMs }) as { count: number; reset_at: number }
      return { count: row.count, resetAt: row.reset_at }
    })
  }

  async setClaimExpiry(kind: string, key: string, expiresAt: number): Promise<void> {
    this.#durable(() =>
      this.#db
        .prepare(
          `INSERT INTO single_use (kind, key, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (kind, key) DO UPDATE SET expires_at = excluded.expires_at`,
        )
        .run(kind, key, expiresAt),
    )
  }

  async claimExpiry(kind: string, key: string): Promise<number | undefined> {
    return this.#run(() => {
      const row = this.#db
        .prepare('SELECT expires_at FROM single_use WHERE kind = ? AND key = ?')
        .get(kind, key) as { expires_at: number } | undefined
      return row?.expires_at
    })
  }

  async takeExpiredClaims(kind: string, now: number, limit: number): Promise<string[]> {
    return this.#run(() =>
      (
        this.#db
          .prepare(
            `DELETE FROM single_use WHERE rowid IN
               (SELECT rowid FROM single_use WHERE kind = ? AND expires_at <= ? LIMIT ?)
             RETURNING key`,
          )
          .all(kind, now, limit) as { key: string }[]
      ).map((row) => row.key),
    )
  }

  async sweepSingleUse(now: number): Promise<void> {
    this.#run(() => {
      this.#db.prepare('DELETE FROM single_use WHERE expires_at <= ?').run(now)
      this.#db.prepare('DELETE FROM rate_windows WHERE reset_at <= ?').run(now)
    })
  }
}
