import type { ClaimExpiryOptions, SingleUseRecords, WindowCount } from '@mxcp/auth-core/store-kit'
import type Database from 'better-sqlite3'

/** The statements of the single-use records, prepared once per connection: a sign-in runs a dozen. */
function prepareStatements(db: Database.Database) {
  return {
    liveClaims: db.prepare<[string, number, string], { n: number }>(
      'SELECT count(*) AS n FROM single_use WHERE kind = ? AND expires_at > ? AND key <> ?',
    ),
    claim: db.prepare<[string, string, number, number]>(
      `INSERT INTO single_use (kind, key, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET expires_at = excluded.expires_at WHERE single_use.expires_at <= ?`,
    ),
    release: db.prepare<[string]>('DELETE FROM single_use WHERE key = ?'),
    countHit: db.prepare<[{ key: string; now: number; window: number }], { count: number; reset_at: number }>(
      `INSERT INTO rate_windows (key, count, reset_at) VALUES (@key, 1, @now + @window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
         reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
       RETURNING count, reset_at`,
    ),
    setExpiry: db.prepare<[string, string, number]>(
      `INSERT INTO single_use (kind, key, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    expiry: db.prepare<[string, string], { expires_at: number }>(
      'SELECT expires_at FROM single_use WHERE kind = ? AND key = ?',
    ),
    takeExpired: db.prepare<[string, number, number], { key: string }>(
      `DELETE FROM single_use WHERE rowid IN
         (SELECT rowid FROM single_use WHERE kind = ? AND expires_at <= ? LIMIT ?)
       RETURNING key`,
    ),
    sweepClaims: db.prepare<[number]>('DELETE FROM single_use WHERE expires_at <= ?'),
    sweepWindows: db.prepare<[number]>('DELETE FROM rate_windows WHERE reset_at <= ?'),
  }
}

/**
 * `SingleUseRecords` in the SQLite file, shared by every process that opens it. Each step is one
 * `BEGIN IMMEDIATE` transaction (the write lock first), so a claim, a limit check and a counted hit
 * are atomic across processes. `durable` and `light` both wrap driver errors as the store's own;
 * `light` commits without waiting for the disk (`lightCommits`): claims, counts and releases guard
 * steps in flight. A claim's expiry set outright (a registered client's lease) is `durable`, unless
 * the caller says a durable commit follows (`inFlight`: the lease renewed by a token exchange).
 * The tables (`single_use`, `rate_windows`) come with the migrations (`schema.ts`).
 */
export class SqliteSingleUse implements SingleUseRecords {
  readonly #sql: ReturnType<typeof prepareStatements>
  /** The limit check and the claim, in one `BEGIN IMMEDIATE` transaction (built once). */
  readonly #claimOnce: (kind: string, key: string, expiresAt: number, now: number, limit?: number) => boolean
  readonly #run: <T>(work: () => T) => T
  readonly #durable: <T>(work: () => T) => T
  readonly #db: Database.Database

  constructor(
    db: Database.Database,
    durable: <T>(work: () => T) => T,
    light: <T>(work: () => T) => T = durable,
  ) {
    this.#db = db
    this.#sql = prepareStatements(db)
    this.#claimOnce = db.transaction(
      (kind: string, key: string, expiresAt: number, now: number, limit?: number): boolean => {
        if (limit !== undefined && (this.#sql.liveClaims.get(kind, now, key)?.n ?? 0) >= limit) return false
        return this.#sql.claim.run(kind, key, expiresAt, now).changes === 1
      },
    ).immediate
    this.#run = light
    this.#durable = durable
  }

  /** One `BEGIN IMMEDIATE` transaction: the limit checked and the claim taken together. */
  readonly claimOnce: SingleUseRecords['claimOnce'] = async (kind, key, expiresAt, now, limit) => {
    return this.#run(() => this.#claimOnce(kind, key, expiresAt, now, limit))
  }

  async releaseClaims(key: string): Promise<void> {
    this.#run(() => this.#sql.release.run(key))
  }

  async countHit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    return this.#run(() => {
      // An upsert with RETURNING always answers its row.
      const row = this.#sql.countHit.get({ key, now, window: windowMs })!
      return { count: row.count, resetAt: row.reset_at }
    })
  }

  async setClaimExpiry(
    kind: string,
    key: string,
    expiresAt: number,
    options?: ClaimExpiryOptions,
  ): Promise<void> {
    const write = () => this.#sql.setExpiry.run(kind, key, expiresAt)
    // In flight: a light commit, which the caller's FULL commit that follows fsyncs with the WAL;
    // or, inside the caller's open transaction (SQLite cannot change `synchronous` there), a write
    // that joins it and is committed with it.
    if (options?.inFlight && !this.#db.inTransaction) this.#run(write)
    else this.#durable(write)
  }

  async claimExpiry(kind: string, key: string): Promise<number | undefined> {
    return this.#run(() => this.#sql.expiry.get(kind, key)?.expires_at)
  }

  async takeExpiredClaims(kind: string, now: number, limit: number): Promise<string[]> {
    return this.#run(() => this.#sql.takeExpired.all(kind, now, limit).map((row) => row.key))
  }

  async sweepSingleUse(now: number): Promise<void> {
    this.#run(() => {
      this.#sql.sweepClaims.run(now)
      this.#sql.sweepWindows.run(now)
    })
  }
}
