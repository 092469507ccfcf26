import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { type Clock, KeyedMutex, StoreUnavailableError } from '@mxcp/auth-core/store-kit'
import { and, eq, lte } from 'drizzle-orm'
import type { StoreDatabase } from './database/open-database.js'
import { sessionLocks } from './database/schema.js'
import type { SqliteStoreLogger } from './options.js'

/** How long a lease lasts: well beyond an upstream refresh (10 s timeout by default). */
export const SESSION_LOCK_LEASE_MS = 30_000
/** How long a caller waits for a lease before `StoreUnavailableError`: a dead holder's lease runs out first. */
export const SESSION_LOCK_WAIT_MS = SESSION_LOCK_LEASE_MS + 5_000
/** Pause between two attempts to take a lease held by another process. */
const POLL_MS = 25

/**
 * `OAuthStore.withSessionLock` on SQLite: one holder per session across every process sharing
 * the file. Within a process, callers queue in a `KeyedMutex`; across processes, the holder owns
 * a lease row taken by one conditional upsert (`… ON CONFLICT DO UPDATE … WHERE expires_at <= now`,
 * whose changed-row count says who got it), and the others poll. SQLite's own write lock cannot
 * serve here: it would be held across the upstream HTTP call and stall every writer.
 */
export class SessionLocks {
  readonly #run: <T>(work: (db: StoreDatabase) => T) => T
  readonly #clock: Clock
  readonly #logger: SqliteStoreLogger | undefined
  readonly #queue = new KeyedMutex()

  constructor(
    run: <T>(work: (db: StoreDatabase) => T) => T,
    clock: Clock,
    logger: SqliteStoreLogger | undefined,
  ) {
    this.#run = run
    this.#clock = clock
    this.#logger = logger
  }

  /** Runs `fn` while this process holds the session's lease; throws `StoreUnavailableError` if it never comes. */
  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(sessionId, () => this.#withLease(sessionId, fn))
  }

  async #withLease<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const holder = randomUUID()
    const deadline = this.#clock.now() + SESSION_LOCK_WAIT_MS
    while (!this.#take(sessionId, holder)) {
      if (this.#clock.now() >= deadline) {
        throw new StoreUnavailableError('Another process has held the lock of this session for too long')
      }
      await delay(POLL_MS + Math.random() * POLL_MS)
    }
    try {
      return await fn()
    } finally {
      this.#give(sessionId, holder)
    }
  }

  /** One conditional upsert: true when this holder now owns the lease. */
  #take(sessionId: string, holder: string): boolean {
    const now = this.#clock.now()
    const lease = { holder, expiresAt: now + SESSION_LOCK_LEASE_MS }
    const { changes } = this.#run((db) =>
      db
        .insert(sessionLocks)
        .values({ sessionId, ...lease })
        .onConflictDoUpdate({
          target: sessionLocks.sessionId,
          set: lease,
          setWhere: lte(sessionLocks.expiresAt, now),
        })
        .run(),
    )
    return changes === 1
  }

  /** Gives the lease back; if that fails, it simply runs out, so `fn`'s outcome stands. */
  #give(sessionId: string, holder: string): void {
    try {
      this.#run((db) =>
        db
          .delete(sessionLocks)
          .where(and(eq(sessionLocks.sessionId, sessionId), eq(sessionLocks.holder, holder)))
          .run(),
      )
    } catch (error) {
      this.#logger?.warn(
        { error: String(error) },
        'OAuth store: releasing a session lock failed; it will expire',
      )
    }
  }
}
