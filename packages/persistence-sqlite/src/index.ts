export { SqliteStoreOpenError } from './database/sqlite-errors.js'
export { openSqliteStore } from './open-sqlite-store.js'
export type { SqliteStoreLogger, SqliteStoreOptions } from './options.js'
export { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_SWEEP_INTERVAL_MS } from './options.js'
