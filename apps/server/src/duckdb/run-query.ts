import type { SqlUser, UserPool } from '@mxcp/duckdb-user-fns'
import { type JsonRow, jsonRowConverter } from './json-rows.js'
import type { BoundParameters } from './sql-parameters.js'

/**
 * Runs one SQL text with `user` bound (so `get_username()` and friends answer for the caller)
 * and returns every row as JSON. With `bound`, the SQL runs as a prepared statement and the
 * values are bound to its `$name` parameters; never spliced into the text.
 */
export function runQuery(
  pool: UserPool,
  user: SqlUser | undefined,
  sql: string,
  bound?: BoundParameters,
): Promise<JsonRow[]> {
  return pool.withUser(user, async (connection) => {
    // Without parameters, pass no values at all: DuckDB then accepts several statements.
    const hasValues = bound !== undefined && Object.keys(bound.values).length > 0
    const reader = hasValues
      ? await connection.runAndReadAll(sql, bound.values, bound.types)
      : await connection.runAndReadAll(sql)
    return reader.convertRowObjects(jsonRowConverter)
  })
}
