import { randomUUID } from 'node:crypto'
import type { DuckDBConnection } from '@duckdb/node-api'
import { REGISTRY_MARKER, userFunctions } from './user-functions.js'
import { UserRegistry } from './user-registry.js'

/** Registries of the databases this module installed the functions on, by registry id. */
const registries = new Map<string, UserRegistry>()

/** Installations run one at a time, so two pools opened together share one registry. */
let installing: Promise<unknown> = Promise.resolve()

/**
 * Installs the six functions on a database (idempotent); createUserPool calls it.
 *
 * They are registered in DuckDB's `system` catalog, so they exist for every connection of the
 * database (not only `conn`), are never written to a database file, and work on a read-only
 * database. On a connection that no pool has bound, each returns ''.
 */
export async function installUserFunctions(conn: DuckDBConnection): Promise<void> {
  await ensureUserFunctions(conn)
}

/** Installs the functions if needed and returns the registry they read. */
export function ensureUserFunctions(conn: DuckDBConnection): Promise<UserRegistry> {
  const next = installing.then(() => install(conn))
  installing = next.catch(() => undefined)
  return next
}

async function install(conn: DuckDBConnection): Promise<UserRegistry> {
  const existing = await installedRegistryId(conn)
  if (existing !== undefined) {
    const registry = registries.get(existing)
    // Re-registering would replace the functions and orphan the other copy's bindings: every
    // caller of that copy would silently become anonymous. Refuse instead.
    if (registry === undefined) {
      throw new Error(
        'the DuckDB user functions on this database were installed by another copy of @mxcp/duckdb-user-fns; load a single copy',
      )
    }
    return registry
  }
  const registry = new UserRegistry(randomUUID())
  // The marker comes last in the list, so an installation cut short is redone in full.
  for (const fn of userFunctions(registry)) conn.registerScalarFunction(fn)
  registries.set(registry.id, registry)
  return registry
}

async function installedRegistryId(conn: DuckDBConnection): Promise<string | undefined> {
  const found = await conn.runAndReadAll(
    "SELECT count(*) FROM duckdb_functions() WHERE database_name = 'system' AND function_name = $name",
    { name: REGISTRY_MARKER },
  )
  if (found.getRows()[0]?.[0] === 0n) return undefined
  const marker = await conn.runAndReadAll(`SELECT ${REGISTRY_MARKER}()`)
  const id = marker.getRows()[0]?.[0]
  return typeof id === 'string' ? id : undefined
}
