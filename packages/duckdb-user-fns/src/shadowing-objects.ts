import type { DuckDBConnection } from '@duckdb/node-api'
import { REGISTRY_MARKER, USER_FUNCTIONS } from './user-functions.js'

/** A function or macro outside the system catalog named like one of the user functions. */
export interface ShadowingObject {
  /** `database.schema.name`. */
  readonly qualifiedName: string
  /** DuckDB's function type: `macro`, `scalar`, `table_macro`, ... */
  readonly type: string
}

/**
 * Lists the objects that would shadow the user functions: DuckDB resolves a call through the
 * temp and main schemas (and anything on `search_path`) before the system catalog, so a macro
 * `get_username()` saved in an old DuckDB file would answer instead of ours. Run it once at
 * start-up, after the seed SQL, and refuse to serve when it finds any.
 */
export async function findShadowingObjects(connection: DuckDBConnection): Promise<ShadowingObject[]> {
  const names = [...USER_FUNCTIONS.map(({ name }) => name), REGISTRY_MARKER]
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ')
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT database_name, schema_name, function_name, function_type FROM duckdb_functions()
     WHERE database_name <> 'system' AND lower(function_name) IN (${placeholders})
     ORDER BY ALL`,
    names,
  )
  return reader.getRows().map(([database, schema, name, type]) => ({
    qualifiedName: `${String(database)}.${String(schema)}.${String(name)}`,
    type: String(type),
  }))
}
