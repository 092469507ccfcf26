import type { OAuthStore, SealedBox } from '@mxcp/auth-core/store-kit'
import { pgSchema } from 'drizzle-orm/pg-core'
import { createLockPool, createQueryPool } from './connection.js'
import { migrateSchema } from './migrate.js'
import { type PostgresStoreOptions, resolveOptions } from './options.js'
import { PostgresStore } from './postgres-store.js'
import { defineTables } from './schema/define-tables.js'
import { toStoreError } from './store-errors.js'

/**
 * Opens the PostgreSQL `OAuthStore` that several server replicas share (`auth.persistence.type:
 * postgres`). Checks the options (a missing or short `encryption_key` is refused), applies the
 * committed migrations under an advisory lock so replicas starting together are safe, checks the key
 * against the database, and starts the periodic sweep.
 *
 * Rejects with `StoreUnavailableError` when the database cannot be reached at start-up.
 *
 * @example
 * const store = await openPostgresStore({
 *   url: process.env.MXCP_AUTH_DATABASE_URL,
 *   encryptionKey: process.env.MXCP_AUTH_ENCRYPTION_KEY,
 * })
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<OAuthStore> {
  const resolved = resolveOptions(options)
  let box: SealedBox
  try {
    box = await migrateSchema(resolved)
  } catch (error) {
    throw toStoreError(error, 'start-up (migrations)', resolved.target)
  }
  const tables = defineTables(pgSchema(resolved.schema).table)
  const pool = createQueryPool(resolved)
  const lockPool = createLockPool(resolved)
  resolved.logger?.info?.(
    { target: resolved.target, schema: resolved.schema, poolSize: resolved.poolSize },
    'PostgreSQL store ready',
  )
  return new PostgresStore({ options: resolved, pool, lockPool, tables, box })
}
