import pg from 'pg'
import type { ResolvedOptions } from './options.js'

/** How long opening a connection may take before the store reports the database unavailable. */
export const CONNECT_TIMEOUT_MS = 2_000
/** How long one query may wait for its answer on an open connection (a server gone silent). */
export const QUERY_TIMEOUT_MS = 5_000
/**
 * Server side, shorter than the client's `QUERY_TIMEOUT_MS`, so the server cancels a slow statement
 * (and its transaction) before the client gives up on it: a statement the client reported as
 * failed then did not commit behind its back.
 */
export const STATEMENT_TIMEOUT_MS = 4_000
/** Server side: how long a statement waits for a row lock before it fails (SQLSTATE 55P03). */
export const LOCK_TIMEOUT_MS = 3_000
/**
 * Server side: a transaction left open by a client that went silent (killed, cut off) is ended
 * after this, releasing its locks, instead of holding them until TCP gives up hours later.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 5_000
/** TCP keepalive probes start after this much silence, so a dead peer is noticed in seconds. */
export const KEEPALIVE_INITIAL_DELAY_MS = 5_000
/** How long a replica waits for another one's session lock (an upstream refresh) before giving up. */
export const SESSION_LOCK_TIMEOUT_MS = 30_000
/** How long start-up waits for another replica's migrations. */
export const MIGRATION_LOCK_TIMEOUT_MS = 120_000

/** Settings every connection of the store shares. */
export function baseConnectionConfig(options: ResolvedOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    application_name: 'mxcp-auth',
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  }
}

/**
 * The pool for queries. Its `error` event (an idle connection dropped by the server or the network)
 * must have a listener, or Node ends the process; the pool replaces the connection by itself.
 */
export function createQueryPool(options: ResolvedOptions): pg.Pool {
  const pool = new pg.Pool({
    ...baseConnectionConfig(options),
    max: options.poolSize,
    idleTimeoutMillis: 30_000,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
  })
  watchIdleErrors(pool, options, 'query')
  return pool
}

/**
 * The pool for session locks, apart from the query pool: a replica holding a lock runs queries
 * while it holds it, and those must never wait behind connections that only wait for locks.
 */
export function createLockPool(options: ResolvedOptions): pg.Pool {
  const pool = new pg.Pool({
    ...baseConnectionConfig(options),
    max: options.poolSize,
    idleTimeoutMillis: 10_000,
    // A lock wait past this ends with SQLSTATE 55P03, reported as unavailable (the client gets 503).
    lock_timeout: SESSION_LOCK_TIMEOUT_MS,
    statement_timeout: SESSION_LOCK_TIMEOUT_MS + 1_000,
    // And if the server goes silent, the client stops waiting shortly after.
    query_timeout: SESSION_LOCK_TIMEOUT_MS + 2_000,
  })
  watchIdleErrors(pool, options, 'lock')
  return pool
}

function watchIdleErrors(pool: pg.Pool, options: ResolvedOptions, role: string): void {
  // A checked-out connection has no `error` listener of the pool's (pg-pool removes it on acquire),
  // so a server that vanishes between two statements of a transaction, or while a session lock is
  // held, would end the process. The statement in flight fails anyway, and the pool discards the
  // broken connection on release.
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
  pool.on('error', (error: Error & { code?: unknown }) => {
    options.logger?.warn(
      { pool: role, target: options.target, code: typeof error.code === 'string' ? error.code : undefined },
      'PostgreSQL store: an idle connection failed; the pool opens a new one when needed',
    )
  })
}
