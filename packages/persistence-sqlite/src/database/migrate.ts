import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import type { StoreDatabase } from './open-database.js'
import { SqliteStoreOpenError } from './sqlite-errors.js'

/**
 * The drizzle-kit migrations committed with the package. This file sits one folder below the
 * package root both as `src/database/migrate.ts` and as `dist/database/migrate.js`.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))

/** drizzle's own bookkeeping table. */
const MIGRATIONS_TABLE = '__drizzle_migrations'

/**
 * Brings the schema up to date with drizzle's migrator; idempotent. Two processes starting on a
 * new file at once may both see "not migrated" before either commits: the loser's migration then
 * fails inside its transaction (rolled back, nothing half-done) and the second attempt finds the
 * schema in place. A database migrated by a newer release is refused rather than used blindly.
 */
export function applyMigrations(db: StoreDatabase, path: string): void {
  const latestKnown = Math.max(
    ...readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((m) => m.folderMillis),
  )
  const newest = latestApplied(db)
  if (newest !== undefined && newest > latestKnown) {
    throw new SqliteStoreOpenError(
      path,
      `The OAuth database ${path} was migrated by a newer release of @mxcp/persistence-sqlite; upgrade this one to use it`,
    )
  }
  try {
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  } catch (first) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
    } catch {
      throw new SqliteStoreOpenError(path, `Cannot migrate the OAuth database ${path}: ${String(first)}`, {
        cause: first,
      })
    }
  }
}

/** `created_at` of the last applied migration, if the bookkeeping table exists. */
function latestApplied(db: StoreDatabase): number | undefined {
  const table = db.get<{ name: string } | undefined>(
    sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ${MIGRATIONS_TABLE}`,
  )
  if (table === undefined) return undefined
  const row = db.get<{ newest: number | null }>(
    sql`SELECT max(created_at) AS newest FROM ${sql.identifier(MIGRATIONS_TABLE)}`,
  )
  return row.newest ?? undefined
}
