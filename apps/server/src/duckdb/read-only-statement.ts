import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from '@duckdb/node-api'
import { REFUSED_TABLE_FUNCTIONS, type RefusedFunctions } from './refused-functions.js'

/** A statement the built-in SQL tool does not run; the message names why, never a value. */
export class RefusedStatementError extends Error {
  override readonly name = 'RefusedStatementError'
}

/** `EXPLAIN` or `EXPLAIN ANALYZE` in front of a statement; only used to find the statement it explains. */
const EXPLAIN_PREFIX = /^\s*explain\s+(?:analy[sz]e\s+)?/i

/** The statement kinds a caller may send, for the messages. */
const ALLOWED = 'only one read-only query (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE)'

/**
 * Prepares `sql` if, and only if, it is exactly one read-only query, judged by DuckDB's own
 * parser before anything is bound:
 *
 * 1. `extractStatements` splits the text: exactly one statement.
 * 2. `json_serialize_sql` (DuckDB's serialiser, which parses and accepts nothing but a SELECT:
 *    `WITH`, `VALUES`, `FROM t`, `DESCRIBE`, `SHOW`, `SUMMARIZE` are SELECTs to it; `PRAGMA`,
 *    DDL, DML, `SET`, `COPY`, … are not) gives the syntax tree, searched for calls of refused
 *    functions in every subquery, CTE, lambda and table-function position. This comes before
 *    binding because binding already evaluates constant arguments of table functions.
 * 3. Only then is the statement prepared (bound, never run), and its statement type must be
 *    SELECT, or EXPLAIN when the text starts with EXPLAIN (whose query is what step 2 checked).
 *
 * Nothing decides by matching the SQL text against a pattern: the EXPLAIN expression only finds
 * the query to serialise (a wrong guess fails step 2 or 3), and a refused statement is named by
 * its first word only in the message.
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
  const explain = EXPLAIN_PREFIX.exec(sql)
  const tree = await syntaxTree(connection, explain === null ? sql : sql.slice(explain[0].length))
  if (tree === undefined) {
    throw new RefusedStatementError(`Refused: ${firstWord(sql)} statements may not run here; ${ALLOWED}`)
  }
  checkNames(tree, refused)
  // Preparing binds the statement (names resolved, types checked) but runs nothing.
  const prepared = await extracted.prepare(0)
  const expected = explain === null ? StatementType.SELECT : StatementType.EXPLAIN
  if (prepared.statementType !== expected) {
    const name = (StatementType[prepared.statementType] ?? 'this kind of').replaceAll('_', ' ')
    throw new RefusedStatementError(`Refused: ${name} statements may not run here; ${ALLOWED}`)
  }
  return prepared
}

/** The first word of a statement (after comments), upper-case: only to name it in a message. */
function firstWord(sql: string): string {
  const text = sql.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '')
  const word = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase()
  return word === undefined ? 'such' : word
}

/** The one SELECT statement's syntax tree, or undefined when DuckDB does not read `query` as one. */
async function syntaxTree(connection: DuckDBConnection, query: string): Promise<unknown> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [query])
  const tree: unknown = JSON.parse(String(reader.getRows()[0]?.[0]))
  if (!isObject(tree) || tree['error'] !== false) return undefined
  const statements = tree['statements']
  if (!Array.isArray(statements) || statements.length !== 1) return undefined
  return statements[0]
}

function checkNames(tree: unknown, refused: RefusedFunctions): void {
  const { functions, tables } = namesIn(tree)
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
