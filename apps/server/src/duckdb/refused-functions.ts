import type { DuckDBConnection } from '@duckdb/node-api'

/**
 * Table functions a caller's query may not call, by what they do; DuckDB marks side effects
 * only on scalar functions (`duckdb_functions().has_side_effects`), so these are named here.
 */
export const REFUSED_TABLE_FUNCTIONS: Readonly<Record<string, string>> = {
  // Run SQL held in a string: a query that passed the statement check could run anything.
  query: 'runs SQL from a string',
  query_table: 'runs SQL from a string',
  json_execute_serialized_sql: 'runs SQL from a string',
  // Change the database's or the connection's state.
  enable_logging: 'changes a setting',
  disable_logging: 'changes a setting',
  truncate_duckdb_logs: 'changes the log',
  enable_profiling: 'changes a setting',
  disable_profiling: 'changes a setting',
  enable_peg_parser: 'changes a setting',
  disable_peg_parser: 'changes a setting',
  checkpoint: 'writes the database file',
  force_checkpoint: 'writes the database file',
  // Read what other callers did or the operator's secrets.
  duckdb_logs: "reads DuckDB's log",
  duckdb_logs_parsed: "reads DuckDB's log",
  duckdb_log_contexts: "reads DuckDB's log",
  duckdb_secrets: 'reads secrets',
  which_secret: 'reads secrets',
  // Read process memory at an address given as a number.
  arrow_scan: 'reads raw memory',
  arrow_scan_dumb: 'reads raw memory',
}

/** Functions a caller's query may not call, lower-case name → why. */
export type RefusedFunctions = ReadonlyMap<string, string>

/**
 * The refused functions of this DuckDB build: every function DuckDB marks as having side
 * effects (`nextval`, `setseed`, `write_log`, `random`, ...) and {@link REFUSED_TABLE_FUNCTIONS}.
 * Read once at start-up, before the lock-down.
 */
export async function readRefusedFunctions(connection: DuckDBConnection): Promise<RefusedFunctions> {
  const reader = await connection.runAndReadAll(
    "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE has_side_effects AND database_name = 'system'",
  )
  const refused = new Map<string, string>()
  for (const [name] of reader.getRows()) refused.set(String(name), 'has side effects')
  for (const [name, why] of Object.entries(REFUSED_TABLE_FUNCTIONS)) refused.set(name, why)
  return refused
}
