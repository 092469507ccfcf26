import type { DuckDBConnection } from '@duckdb/node-api'
import type { LeasedStatements, SqlUser, UserPool } from '@mxcp/duckdb-user-fns'
import { type JsonRow, materializedRows } from './json-rows.js'
import type { BoundParameters } from './sql-parameters.js'

/** SQL texts remembered at most; past it the memory starts over. */
const MAX_REMEMBERED = 1024

/**
 * How many statements each SQL text run with values holds, learnt on its first run. A
 * definition's SQL never changes, so a one-statement text is prepared directly afterwards,
 * without DuckDB's statement splitting (one native round trip fewer per call).
 */
const statementCounts = new Map<string, number>()

async function statementCount(connection: DuckDBConnection, sql: string): Promise<number> {
  let count = statementCounts.get(sql)
  if (count === undefined) {
    count = (await connection.extractStatements(sql)).count
    if (statementCounts.size >= MAX_REMEMBERED) statementCounts.clear()
    statementCounts.set(sql, count)
  }
  return count
}

/**
 * Runs one SQL text with `user` bound (so `get_username()` and friends answer for the caller)
 * and returns every row as JSON. With `bound`, the SQL runs as a prepared statement and the
 * values are bound to its `$name` parameters; never spliced into the text.
 *
 * A one-statement text runs through the pool's kept statements: DuckDB fixes the user
 * functions' values when it binds a statement and does not always bind a prepared statement
 * again when it runs it (`SELECT w FROM (SELECT get_username() AS w) WHERE w <> $x` keeps the
 * first caller's name), so the pool keeps a statement per connection, SQL text and whole caller
 * identity, and only one that DuckDB binds afresh on every run anyway.
 */
export function runQuery(
  pool: UserPool,
  user: SqlUser | undefined,
  sql: string,
  bound?: BoundParameters,
): Promise<JsonRow[]> {
  return pool.withUser(user, async (connection, statements) => {
    // Without parameters, pass no values at all: DuckDB then accepts several statements.
    const hasValues = bound !== undefined && Object.keys(bound.values).length > 0
    const result = hasValues
      ? await runWithValues(connection, statements, sql, bound)
      : await connection.run(sql)
    return materializedRows(result)
  })
}

/** Runs `sql` with its `$name` parameters bound to `bound`'s values. */
async function runWithValues(
  connection: DuckDBConnection,
  statements: LeasedStatements,
  sql: string,
  bound: BoundParameters,
): ReturnType<LeasedStatements['run']> {
  // Several statements: DuckDB runs all but the last as they are, and binds the last one.
  if ((await statementCount(connection, sql)) !== 1) return connection.run(sql, bound.values, bound.types)
  return statements.run(sql, bound.values, bound.types)
}
