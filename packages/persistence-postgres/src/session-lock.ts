import { KeyedMutex } from '@mxcp/auth-core/store-kit'
import type pg from 'pg'
import { sessionLockKey } from './advisory-key.js'
import type { ResolvedOptions } from './options.js'
import { toStoreError } from './store-errors.js'

/** How long unlocking may take before the connection is destroyed instead (which unlocks too). */
const UNLOCK_TIMEOUT_MS = 2_000

/**
 * `OAuthStore.withSessionLock` on PostgreSQL: an exclusive lock on one session across every replica
 * that shares the database, so an upstream token refresh happens once, not once per replica.
 *
 * Within this process calls on one session queue in a `KeyedMutex`; the one at the head takes a
 * connection from the lock pool and holds a session-level advisory lock (`pg_advisory_lock`) on it
 * while `fn` runs. A session-level lock rather than `pg_advisory_xact_lock` keeps no transaction open
 * across the upstream call. If the connection breaks, PostgreSQL drops the lock with it.
 *
 * Failing to take the lock (database down, or another replica holding it past the lock pool's
 * `lock_timeout`) throws `StoreUnavailableError`; what `fn` throws passes through unchanged.
 */
export class SessionLocks {
  readonly #mutex = new KeyedMutex()
  readonly #pool: pg.Pool
  readonly #options: ResolvedOptions

  constructor(pool: pg.Pool, options: ResolvedOptions) {
    this.#pool = pool
    this.#options = options
  }

  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(sessionId, async () => {
      const key = sessionLockKey(this.#options.schema, sessionId)
      const client = await this.#acquire(key)
      try {
        return await fn()
      } finally {
        await this.#release(client, key)
      }
    })
  }

  async #acquire(key: string): Promise<pg.PoolClient> {
    let client: pg.PoolClient
    try {
      client = await this.#pool.connect()
    } catch (error) {
      throw toStoreError(error, 'taking a session lock', this.#options.target)
    }
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [key])
      return client
    } catch (error) {
      // Whatever state the connection is in, it must not go back to the pool holding a lock.
      client.release(true)
      throw toStoreError(error, 'taking a session lock', this.#options.target)
    }
  }

  /** Unlocks and returns the connection; if unlocking fails the connection is destroyed, which unlocks too. */
  async #release(client: pg.PoolClient, key: string): Promise<void> {
    try {
      // A short deadline of its own (pg reads `query_timeout` per query; its types omit it): a
      // server gone silent must not hold the caller's answer.
      const unlock: pg.QueryConfig & { query_timeout: number } = {
        text: 'SELECT pg_advisory_unlock($1::bigint)',
        values: [key],
        query_timeout: UNLOCK_TIMEOUT_MS,
      }
      await client.query(unlock)
      client.release()
    } catch {
      client.release(true)
    }
  }
}
