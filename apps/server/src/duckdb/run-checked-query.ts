import type { SqlUser, UserPool } from '@mxcp/duckdb-user-fns'
import { type JsonRow, jsonRowConverter } from './json-rows.js'
import { prepareReadOnlyQuery } from './read-only-statement.js'
import type { RefusedFunctions } from './refused-functions.js'

/** Caps on what one call of the built-in SQL tool returns. */
export interface ResultLimits {
  readonly maxRows: number
  /** The rows as JSON text, in bytes. */
  readonly maxBytes: number
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = { maxRows: 10_000, maxBytes: 4 * 1024 * 1024 }

/** A result larger than the caps; nothing of it is returned. */
export class ResultTooLargeError extends Error {
  override readonly name = 'ResultTooLargeError'
}

/**
 * Runs caller-written SQL for `execute_sql_query`: with `user` bound, only if it is exactly one
 * read-only query ({@link prepareReadOnlyQuery}), reading at most `maxRows + 1` rows from
 * DuckDB's stream (so a huge result is never materialised) and refusing a result past a cap.
 */
export function runCheckedQuery(
  pool: UserPool,
  user: SqlUser | undefined,
  sql: string,
  refused: RefusedFunctions,
  limits: ResultLimits = DEFAULT_RESULT_LIMITS,
): Promise<JsonRow[]> {
  return pool.withUser(user, async (connection) => {
    const prepared = await prepareReadOnlyQuery(connection, sql, refused)
    const reader = await prepared.streamAndReadUntil(limits.maxRows + 1)
    if (reader.currentRowCount > limits.maxRows) {
      throw new ResultTooLargeError(
        `The result has more than ${limits.maxRows} rows; add a LIMIT or narrow the query`,
      )
    }
    const rows = reader.convertRowObjects(jsonRowConverter)
    if (Buffer.byteLength(JSON.stringify(rows)) > limits.maxBytes) {
      throw new ResultTooLargeError(
        `The result is larger than ${limits.maxBytes} bytes; select fewer columns or rows`,
      )
    }
    return rows
  })
}
