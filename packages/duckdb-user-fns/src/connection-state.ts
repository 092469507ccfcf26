import { randomUUID } from 'node:crypto'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { BoundUser } from './sql-user.js'
import { USER_FUNCTIONS } from './user-functions.js'
import type { UserRegistry } from './user-registry.js'

/** What a connection looks like at rest; a lease must leave it so. */
export interface ConnectionBaseline {
  readonly searchPath: string
  readonly schema: string
  readonly database: string
}

/**
 * One query reading the state a lease could change: the schema search path and the current
 * schema/database (`SET search_path`, `USE`), temporary tables, views and sequences, session
 * variables (`SET VARIABLE`) and named prepared statements (`PREPARE`); and the six user
 * functions as the connection resolves them, so a macro of the same name in any schema on the
 * search path is seen (DuckDB resolves temp and main before the system catalog). Reading
 * `duckdb_functions()` instead would cost ~10 ms per lease; a resolution probe costs ~0.5 ms.
 */
const STATE_QUERY = `SELECT current_setting('search_path') AS search_path,
  current_schema() AS schema_name,
  current_database() AS database_name,
  (SELECT count(*) FROM duckdb_tables() WHERE temporary)
    + (SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal)
    + (SELECT count(*) FROM duckdb_sequences() WHERE temporary) AS temporary_objects,
  (SELECT count(*) FROM duckdb_variables()) AS variables,
  (SELECT count(*) FROM duckdb_prepared_statements()) AS prepared,
  ${USER_FUNCTIONS.map(({ name }) => `${name}() AS ${name}`).join(',\n  ')}`

/** Reads what a fresh connection looks like. */
export async function readBaseline(connection: DuckDBConnection): Promise<ConnectionBaseline> {
  const reader = await connection.runAndReadAll(
    "SELECT current_setting('search_path'), current_schema(), current_database()",
  )
  const [searchPath, schema, database] = reader.getRows()[0] ?? []
  return { searchPath: String(searchPath), schema: String(schema), database: String(database) }
}

/** A caller no real request has: every field a fresh random value. */
function probeUser(): BoundUser {
  const tag = randomUUID()
  return Object.freeze({
    userId: `probe-id-${tag}`,
    username: `probe-username-${tag}`,
    email: `probe-email-${tag}`,
    name: `probe-name-${tag}`,
    provider: `probe-provider-${tag}`,
    externalToken: `probe-token-${tag}`,
  })
}

/**
 * Brings a connection back to rest after a lease and says what was wrong with it ([] = clean).
 * An open transaction is rolled back (and reported: the lease left it). Anything else cannot be
 * undone safely here, so the caller closes the connection and opens a new one.
 */
export async function cleanUp(
  connection: DuckDBConnection,
  connectionId: number,
  registry: UserRegistry,
  baseline: ConnectionBaseline,
): Promise<string[]> {
  const problems: string[] = []
  try {
    await connection.run('ROLLBACK')
    problems.push('an open transaction')
  } catch {
    // No transaction was open: the usual case.
  }
  const probe = probeUser()
  registry.bind(connectionId, probe)
  try {
    const reader = await connection.runAndReadAll(STATE_QUERY)
    const state = reader.getRowObjects()[0] ?? {}
    if (String(state['search_path']) !== baseline.searchPath) problems.push('a changed search_path')
    if (
      String(state['schema_name']) !== baseline.schema ||
      String(state['database_name']) !== baseline.database
    )
      problems.push('a changed current schema')
    if (state['temporary_objects'] !== 0n) problems.push('temporary objects')
    if (state['variables'] !== 0n) problems.push('session variables')
    if (state['prepared'] !== 0n) problems.push('prepared statements')
    for (const { name, field } of USER_FUNCTIONS) {
      if (state[name] !== probe[field]) problems.push(`${name}() resolving to another object`)
    }
  } catch (error) {
    problems.push(`a failed state check (${error instanceof Error ? error.name : 'error'})`)
  } finally {
    registry.clear(connectionId)
  }
  return problems
}
