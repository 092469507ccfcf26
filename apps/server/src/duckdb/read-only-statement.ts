import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api'
import { REFUSED_TABLE_FUNCTIONS, type RefusedFunctions } from './refused-functions.js'

/** A statement the built-in SQL tool does not run; the message names why, never a value. */
export class RefusedStatementError extends Error {
  override readonly name = 'RefusedStatementError'
}

/** `EXPLAIN` or `EXPLAIN ANALYZE` in front of a statement; only used to find the statement it explains. */
const EXPLAIN_PREFIX = /^\s*explain\s+(?:analy[sz]e\s+)?/i

/**
 * Prepares `sql` if, and only if, it is exactly one read-only query: DuckDB's parser splits
 * the text and says each statement's type, and only SELECT (which covers `WITH`, `VALUES`,
 * `FROM t`, `DESCRIBE`, `SHOW`, `SUMMARIZE`) and EXPLAIN of such a query pass. The query's
 * syntax tree (`json_serialize_sql`, DuckDB's own serialiser, which refuses anything but a
 * plain SELECT, so PRAGMA dressed as SELECT fails here) is then searched for calls of refused
 * functions, in every subquery, CTE, lambda and table-function position. Nothing here matches
 * SQL text against a pattern to decide: the one regular expression only finds the query
 * behind an EXPLAIN that DuckDB already classified, and failing to find it refuses.
 *
 * @returns the prepared statement, to run without parsing again.
 */
export async function prepareReadOnlyQuery(
  connection: DuckDBConnection,
  sql: string,
  refused: RefusedFunctions,
): Promise<DuckDBPreparedStatement> {
  const extracted = await connection.extractStatements(sql)
  if (extracted.count !== 1) {
    throw new RefusedStatementError(
      `Refused: send exactly one SQL statement per call (this call has ${extracted.count})`,
    )
  }
  // Preparing binds the statement (names resolved, types checked) but runs nothing.
  const prepared = await extracted.prepare(0)
  const type = prepared.statementType
  if (type === StatementType.SELECT) {
    await checkFunctions(connection, sql, refused)
  } else if (type === StatementType.EXPLAIN) {
    const prefix = EXPLAIN_PREFIX.exec(sql)
    if (prefix === null) throw new RefusedStatementError('Refused: write EXPLAIN as the first word')
    await checkFunctions(connection, sql.slice(prefix[0].length), refused)
  } else {
    throw new RefusedStatementError(
      `Refused: ${statementTypeName(type)} statements may not run here; only one read-only query (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE)`,
    )
  }
  return prepared
}

function statementTypeName(type: StatementType): string {
  const name = StatementType[type] ?? 'this kind of'
  if (name === 'VARIABLE_SET') return 'SET VARIABLE'
  if (name === 'LOAD') return 'INSTALL/LOAD'
  return name.replaceAll('_', ' ')
}

async function checkFunctions(
  connection: DuckDBConnection,
  query: string,
  refused: RefusedFunctions,
): Promise<void> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [query])
  const tree: unknown = JSON.parse(String(reader.getRows()[0]?.[0]))
  if (!isObject(tree) || tree['error'] !== false) {
    throw new RefusedStatementError(
      'Refused: only a plain read-only query may run here (PRAGMA and other statements dressed as a query are refused)',
    )
  }
  const statements = tree['statements']
  if (!Array.isArray(statements) || statements.length !== 1) {
    throw new RefusedStatementError('Refused: send exactly one SQL statement per call')
  }
  const { functions, tables } = namesIn(statements[0])
  for (const name of functions) {
    const why = refused.get(name)
    if (why !== undefined) throw new RefusedStatementError(`Refused: the function ${name}() ${why}`)
  }
  for (const name of tables) {
    const why = Object.hasOwn(REFUSED_TABLE_FUNCTIONS, name) ? REFUSED_TABLE_FUNCTIONS[name] : undefined
    if (why !== undefined) throw new RefusedStatementError(`Refused: the view ${name} ${why}`)
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Every function name in a serialised syntax tree (scalar, aggregate, window and table
 * functions), and the names of the tables and views it reads: DuckDB's log is also a view
 * (`duckdb_logs`) over the table function of the same name.
 */
function namesIn(
  node: unknown,
  found = { functions: new Set<string>(), tables: new Set<string>() },
): { functions: Set<string>; tables: Set<string> } {
  if (Array.isArray(node)) {
    for (const item of node) namesIn(item, found)
  } else if (isObject(node)) {
    const name = node['function_name']
    if (typeof name === 'string') found.functions.add(name.toLowerCase())
    const table = node['table_name']
    if (node['type'] === 'BASE_TABLE' && typeof table === 'string') found.tables.add(table.toLowerCase())
    for (const value of Object.values(node)) namesIn(value, found)
  }
  return found
}
