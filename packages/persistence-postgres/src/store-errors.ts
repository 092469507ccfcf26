import { StoreUnavailableError } from '@mxcp/auth-core/store-kit'
import { DrizzleQueryError } from 'drizzle-orm'
import pg from 'pg'

/**
 * SQLSTATE codes that mean "the database cannot serve us now", not "this statement is wrong":
 * class 08 (connection exception) plus the ones below (PostgreSQL manual, Appendix A).
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '53300', // too_many_connections
  '55P03', // lock_not_available (our lock_timeout ran out)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovery)
  '57P05', // idle_session_timeout
])

/** Node socket errors: the server is not there, or the network between us failed. */
const UNAVAILABLE_SYSCALL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
])

/**
 * node-postgres reports a lost or slow server with plain `Error`s and these messages (pg 8:
 * `client.js`, `pg-pool`), without a code. Matched by their start, as the messages carry no data.
 */
const UNAVAILABLE_DRIVER_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]

/**
 * Turns whatever a query threw into what the store may throw: `StoreUnavailableError` when the
 * database is down, unreachable or overloaded (the server answers 503), else a plain `Error` naming
 * the operation and SQLSTATE. Drizzle's `DrizzleQueryError` quotes the statement's parameters (token
 * hashes, sealed secrets), so it is never passed on, not even as `cause`.
 */
export function toStoreError(error: unknown, operation: string, target: string): Error {
  const root = rootCause(error)
  if (isUnavailable(root)) {
    return new StoreUnavailableError(
      `PostgreSQL store: ${operation} failed: the database at ${target} is unavailable (${reasonOf(root)})`,
      { cause: root },
    )
  }
  if (root instanceof pg.DatabaseError) {
    // The message and SQLSTATE name the fault; `detail` may quote row values, so it stays out.
    return new Error(`PostgreSQL store: ${operation} failed: ${root.message} (SQLSTATE ${root.code ?? '?'})`)
  }
  if (root instanceof Error) return root
  return new Error(`PostgreSQL store: ${operation} failed`)
}

/** True when a failure means the database could not be reached or could not serve us. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined
  if (error instanceof pg.DatabaseError) {
    return code !== undefined && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))
  }
  if (code !== undefined && UNAVAILABLE_SYSCALL_CODES.has(code)) return true
  return UNAVAILABLE_DRIVER_MESSAGES.some((message) => error.message.startsWith(message))
}

/**
 * True when a pooled connection turned out to be dead when used: the server restarted or the network
 * dropped it while it sat idle. A read may be tried once more on a fresh connection; a write may not,
 * as it may have run before the connection broke.
 */
export function isBrokenConnection(error: unknown): boolean {
  const root = rootCause(error)
  if (!(root instanceof Error)) return false
  const code = 'code' in root && typeof root.code === 'string' ? root.code : undefined
  if (code === '57P01' || code === '57P02' || code === 'ECONNRESET' || code === 'EPIPE') return true
  return root.message.startsWith('Connection terminated unexpectedly')
}

function rootCause(error: unknown): unknown {
  let current = error
  // Drizzle wraps the driver's error once; an AggregateError holds one per address tried.
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof DrizzleQueryError && current.cause !== undefined) current = current.cause
    else if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0]
    else break
  }
  return current
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error'
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined
  if (error instanceof pg.DatabaseError) return `SQLSTATE ${code ?? '?'}`
  return code ?? error.message
}
