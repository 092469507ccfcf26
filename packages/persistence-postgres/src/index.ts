export { openPostgresStore } from './open-postgres-store.js'
export type { PostgresStoreOptions, StoreLogger } from './options.js'
export {
  DEFAULT_POOL_SIZE,
  DEFAULT_SCHEMA,
  DEFAULT_SWEEP_INTERVAL_MS,
  MIN_ENCRYPTION_KEY_LENGTH,
} from './options.js'
