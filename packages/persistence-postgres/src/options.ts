import { type Clock, systemClock } from '@mxcp/auth-core/store-kit'

/** Where the store writes what it notices; pino and Fastify's logger fit. Never given a secret. */
export interface StoreLogger {
  warn(obj: object, msg?: string): void
  info?(obj: object, msg?: string): void
}

/** Options of `openPostgresStore`; the first four mirror `auth.persistence`. */
export interface PostgresStoreOptions {
  /** `auth.persistence.url`: `postgres://user:password@host:5432/database`. */
  url: string
  /**
   * `auth.persistence.encryption_key`. Required: every replica must decrypt the upstream tokens the
   * others stored, so the key is configured (the same everywhere), never generated on one machine.
   */
  encryptionKey: string
  /** `auth.persistence.pool_size`: connections for queries (default 10). */
  poolSize?: number
  /** The PostgreSQL schema that holds the tables (default `mxcp_auth`). */
  schema?: string
  logger?: StoreLogger
  /** Drives the periodic sweep (default: the system clock). */
  clock?: Clock
  /** How often one replica sweeps expired rows, ms (default 60 000). */
  sweepIntervalMs?: number
}

/** The options with defaults filled in and every value checked. */
export interface ResolvedOptions {
  readonly url: string
  readonly encryptionKey: string
  readonly poolSize: number
  readonly schema: string
  readonly logger: StoreLogger | undefined
  readonly clock: Clock
  readonly sweepIntervalMs: number
  /** `host:port/database`, for messages: the URL itself may carry a password. */
  readonly target: string
}

export const DEFAULT_POOL_SIZE = 10
export const DEFAULT_SCHEMA = 'mxcp_auth'
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000
/**
 * The shortest key accepted. HKDF stretches a key to 256 bits but adds no entropy, so a short
 * passphrase would be the weak point of every stored upstream token.
 */
export const MIN_ENCRYPTION_KEY_LENGTH = 32

/** Lower-case identifiers only, so the name never needs more than plain double quotes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Checks the options and fills in the defaults; throws a message naming the config key at fault.
 * Insecure settings are refused rather than warned about.
 */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  const { url, encryptionKey } = options
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(
      'PostgreSQL store: auth.persistence.url is required for type postgres ' +
        '(e.g. url: "${MXCP_AUTH_DATABASE_URL}" with postgres://user:password@host:5432/database)',
    )
  }
  if (typeof encryptionKey !== 'string' || encryptionKey.trim() === '') {
    throw new Error(
      'PostgreSQL store: auth.persistence.encryption_key is required for type postgres. Every replica ' +
        'must decrypt the upstream tokens the others stored, so the key is configured, the same on every ' +
        'replica, and never generated on one machine. Set encryption_key: "${MXCP_AUTH_ENCRYPTION_KEY}" ' +
        'with a value from `openssl rand -base64 32`.',
    )
  }
  if (encryptionKey.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new Error(
      `PostgreSQL store: auth.persistence.encryption_key is too short (at least ${MIN_ENCRYPTION_KEY_LENGTH} ` +
        'characters); use a random value such as the output of `openssl rand -base64 32`.',
    )
  }
  const poolSize = options.poolSize ?? DEFAULT_POOL_SIZE
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 100) {
    throw new Error('PostgreSQL store: auth.persistence.pool_size must be an integer from 1 to 100')
  }
  const schema = options.schema ?? DEFAULT_SCHEMA
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      'PostgreSQL store: the schema name must be a lower-case identifier (letters, digits, underscores)',
    )
  }
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 1) {
    throw new Error('PostgreSQL store: sweepIntervalMs must be a positive number of milliseconds')
  }
  return {
    url,
    encryptionKey,
    poolSize,
    schema,
    logger: options.logger,
    clock: options.clock ?? systemClock,
    sweepIntervalMs,
    target: describeTarget(url),
  }
}

/** `host:port/database` of a connection URL, without user or password. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url)
    const database = parsed.pathname.replace(/^\//, '') || '(default database)'
    return `${parsed.hostname}:${parsed.port || '5432'}/${database}`
  } catch {
    // A libpq key=value string rather than a URL: it may hold a password, so name nothing.
    return 'the configured PostgreSQL server'
  }
}
