import type { UserPool } from '@mxcp/duckdb-user-fns'
import type { ArgumentValidator } from '../arguments/validate-arguments.js'
import type { ParameterDefinition, SqlSource, TypeSpec } from '../definitions/definition-types.js'
import { runQuery } from '../duckdb/run-query.js'
import { bindParameters } from '../duckdb/sql-parameters.js'
import { toSqlUser } from './caller.js'
import type { CallContext } from './served-items.js'
import { shapeResult } from './shape-result.js'

/** What a SQL-backed definition needs to run. */
export interface RunnableDefinition {
  readonly parameters: readonly ParameterDefinition[]
  readonly returns: TypeSpec | undefined
  readonly source: SqlSource
  readonly validator: ArgumentValidator
}

/**
 * Validates the arguments against the declared parameters (before any SQL runs), binds them to
 * the SQL's `$name` placeholders, runs the SQL with the caller bound, and shapes the rows.
 * Throws `ArgumentError`, `ResultShapeError` or DuckDB's error.
 */
export async function runDefinition(
  pool: UserPool,
  definition: RunnableDefinition,
  args: Readonly<Record<string, unknown>> | undefined,
  context: CallContext,
): Promise<unknown> {
  const values = definition.validator.validate(args)
  const bound = bindParameters(definition.parameters, values, definition.source.placeholders)
  const started = performance.now()
  const rows = await runQuery(pool, toSqlUser(context.user), definition.source.sql, bound)
  const seconds = (performance.now() - started) / 1000
  context.onSql?.(seconds, rows.length)
  context.log.debug({ sql: { ms: Math.round(seconds * 10_000) / 10, rows: rows.length } }, 'SQL executed')
  await context.report?.('queried', 'debug', {
    message: 'query answered',
    rows: rows.length,
    ms: Math.round(seconds * 1000),
  })
  return shapeResult(rows, definition.returns)
}
