import type { Clock } from '@mxcp/auth-core/store-kit'

/** Pino-compatible: a Fastify `app.log` fits as it is. */
export interface SqliteStoreLogger {
  warn(obj: object, msg?: string): void
  info?(obj: object, msg?: string): void
}

/** How `openSqliteStore` opens the database (the guide's `auth.persistence` with `type: sqlite`). */
export interface SqliteStoreOptions {
  /** The database file: `auth.persistence.path`, `~` already expanded (default `~/.mxcp/oauth.db`). */
  path: string
  /**
   * `auth.persistence.encryption_key`: any string, stretched with HKDF-SHA256. Without it a key
   * is generated into `keyFile` (mode 0600) and one warning is logged at each start.
   */
  encryptionKey?: string
  /**
   * Where the generated key lives when `encryptionKey` is not set. Default
   * `~/.mxcp/keys/<file>-<hash of path>.key`, its folder 0700. A key left beside the database by
   * an earlier release (`<path>.key`) is moved there once, with a log line.
   */
  keyFile?: string
  logger?: SqliteStoreLogger
  /** Only the periodic sweep reads it; every store method takes `now` from its caller. */
  clock?: Clock
  /** How often expired rows are removed, ms (default 60 000). The timer is unref'd and stops on `close()`. */
  sweepIntervalMs?: number
  /** How long a write waits for another process's lock before `StoreUnavailableError`, ms (default 5 000). */
  busyTimeoutMs?: number
}

export const DEFAULT_SWEEP_INTERVAL_MS = 60_000
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000

/** Rejects options that cannot work, with a message naming the option. */
export function validateOptions(options: SqliteStoreOptions): void {
  if (typeof options.path !== 'string' || options.path.trim() === '') {
    throw new TypeError('openSqliteStore: `path` must name the database file')
  }
  if (
    options.encryptionKey !== undefined &&
    (typeof options.encryptionKey !== 'string' || options.encryptionKey === '')
  ) {
    throw new TypeError(
      'openSqliteStore: `encryptionKey` must be a non-empty string (is its environment variable empty?)',
    )
  }
  checkInteger('sweepIntervalMs', options.sweepIntervalMs, 1)
  checkInteger('busyTimeoutMs', options.busyTimeoutMs, 0)
}

/** Timers take at most 2^31 - 1 ms; beyond that Node.js fires after 1 ms instead. */
const MAX_TIMER_MS = 2_147_483_647

function checkInteger(name: string, value: number | undefined, minimum: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < minimum || value > MAX_TIMER_MS)) {
    throw new TypeError(`openSqliteStore: \`${name}\` must be an integer from ${minimum} to ${MAX_TIMER_MS}`)
  }
}
