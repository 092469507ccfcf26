import type { UserPool } from '@mxcp/duckdb-user-fns'
import { ArgumentValidator } from '../arguments/validate-arguments.js'
import type { ParameterDefinition, SqlSource } from '../definitions/definition-types.js'
import { scanSqlPlaceholders } from '../definitions/sql-placeholders.js'
import type { RefusedFunctions } from '../duckdb/refused-functions.js'
import { type ResultLimits, runCheckedQuery } from '../duckdb/run-checked-query.js'
import { toSqlUser } from './caller.js'
import { runDefinition } from './run-definition.js'
import { serveTool, toolListing } from './serve-tool.js'
import type { ServedTool } from './served-items.js'

/** The names of the built-in SQL tools, reserved when `sql_tools.enabled`. */
export const BUILTIN_SQL_TOOL_NAMES = ['execute_sql_query', 'list_tables', 'get_table_schema'] as const

function sqlSource(sql: string): SqlSource {
  return { sql, placeholders: scanSqlPlaceholders(sql).named }
}

const SQL_PARAMETER: ParameterDefinition = {
  name: 'sql',
  type: 'string',
  description: 'The SQL to run (DuckDB dialect)',
  minLength: 1,
}

const LIST_TABLES = sqlSource(`SELECT table_schema AS schema, table_name AS name, table_type AS type
FROM information_schema.tables
WHERE table_schema NOT IN ('information_schema', 'pg_catalog')
ORDER BY table_schema, table_name`)

const TABLE_PARAMETERS: ParameterDefinition[] = [
  { name: 'table_name', type: 'string', description: 'The table or view', minLength: 1 },
  { name: 'schema', type: 'string', description: 'Its schema', default: 'main' },
]

const TABLE_SCHEMA = sqlSource(`SELECT column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable
FROM information_schema.columns
WHERE table_name = $table_name AND table_schema = $schema
ORDER BY ordinal_position`)

/** What the built-in SQL tools need besides the pool. */
export interface BuiltinSqlToolsOptions {
  /** Functions a caller's query may not call. */
  readonly refusedFunctions: RefusedFunctions
  readonly limits?: ResultLimits | undefined
}

/**
 * MXCP's built-in SQL tools: run one read-only query, list the tables, describe a table. Served
 * like any other tool (behind the same guard) and run with the caller bound, so `get_username()`
 * works. The caller's SQL is hostile: it runs only if DuckDB's parser says it is exactly one
 * query calling no refused function, and its result is capped.
 */
export function builtinSqlTools(pool: UserPool, options: BuiltinSqlToolsOptions): ServedTool[] {
  const sqlValidator = new ArgumentValidator([SQL_PARAMETER])
  const description =
    'Run one read-only SQL query (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW, SUMMARIZE) on the DuckDB database and return the rows'
  const execute = serveTool(
    toolListing('execute_sql_query', description, [SQL_PARAMETER], {
      readOnlyHint: true,
      openWorldHint: false,
    }),
    async (args, context) => {
      const { sql } = sqlValidator.validate(args)
      const started = performance.now()
      const rows = await runCheckedQuery(
        pool,
        toSqlUser(context.user),
        String(sql),
        options.refusedFunctions,
        options.limits,
      )
      // The same debug line and metric as a YAML tool's SQL (never the caller's SQL text or values).
      const seconds = (performance.now() - started) / 1000
      context.onSql?.(seconds, rows.length)
      context.log.debug({ sql: { ms: Math.round(seconds * 10_000) / 10, rows: rows.length } }, 'SQL executed')
      return rows
    },
  )
  const tables = {
    parameters: [],
    returns: undefined,
    source: LIST_TABLES,
    validator: new ArgumentValidator([]),
  }
  const listTables = serveTool(
    toolListing('list_tables', 'List the tables and views of the DuckDB database', [], {
      readOnlyHint: true,
    }),
    (args, context) => runDefinition(pool, tables, args, context),
  )
  const columns = {
    parameters: TABLE_PARAMETERS,
    returns: undefined,
    source: TABLE_SCHEMA,
    validator: new ArgumentValidator(TABLE_PARAMETERS),
  }
  const tableSchema = serveTool(
    toolListing(
      'get_table_schema',
      'The columns of a table or view: name, type, nullable',
      TABLE_PARAMETERS,
      {
        readOnlyHint: true,
      },
    ),
    (args, context) => runDefinition(pool, columns, args, context),
  )
  return [execute, listTables, tableSchema]
}
