import { fileURLToPath } from 'node:url'
import type { SealedBox } from '@mxcp/auth-core/store-kit'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { pgSchema } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { migrationLockKey } from './advisory-key.js'
import { baseConnectionConfig, MIGRATION_LOCK_TIMEOUT_MS } from './connection.js'
import { unlockSealedBox } from './key-check.js'
import type { ResolvedOptions } from './options.js'
import { defineTables } from './schema/define-tables.js'

/**
 * The committed migrations (drizzle-kit output). Resolved from this module's own location, which is
 * `src/` when run from source and `dist/` when built: both sit beside `drizzle/`.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url))

/** drizzle's bookkeeping table, kept in the store's own schema so dropping the schema drops it too. */
const MIGRATIONS_TABLE = '__drizzle_migrations'

/**
 * Brings the schema up to date and unlocks the sealed box (binding the encryption key to the
 * database on first start, checking it after), on one connection that holds a session-level
 * advisory lock throughout: replicas that start together take turns, and
 * the second finds the work done. The committed SQL is unqualified, so `search_path` points it at
 * the configured schema; the connection is closed afterwards, which also releases the lock.
 */
export async function migrateSchema(options: ResolvedOptions): Promise<SealedBox> {
  const client = new pg.Client({
    ...baseConnectionConfig(options),
    lock_timeout: MIGRATION_LOCK_TIMEOUT_MS,
    query_timeout: MIGRATION_LOCK_TIMEOUT_MS + 10_000,
  })
  // A connection that fails while open emits `error`; without a listener Node would end the process.
  client.on('error', () => {})
  await client.connect()
  try {
    const schema = quoteIdentifier(options.schema)
    await client.query('SELECT pg_advisory_lock($1::bigint)', [migrationLockKey(options.schema)])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    await client.query(`SET search_path TO ${schema}`)
    const db = drizzle(client)
    await migrate(db, {
      migrationsFolder: MIGRATIONS_FOLDER,
      migrationsSchema: options.schema,
      migrationsTable: MIGRATIONS_TABLE,
    })
    const box = await unlockSealedBox(db, defineTables(pgSchema(options.schema).table), options.encryptionKey)
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [migrationLockKey(options.schema)])
    return box
  } finally {
    await client.end().catch(() => {})
  }
}

/** Double-quotes an identifier already checked to be `[a-z_][a-z0-9_]*`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
