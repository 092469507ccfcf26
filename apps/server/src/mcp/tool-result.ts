import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import {
  PoolBusyError,
  QueryTimeoutError,
  UserFunctionShadowedError,
  UserPoolClosedError,
} from '@mxcp/duckdb-user-fns'
import { ArgumentError } from '../arguments/argument-error.js'
import { RefusedStatementError } from '../duckdb/read-only-statement.js'
import { ResultTooLargeError } from '../duckdb/run-checked-query.js'
import { ResultShapeError } from './shape-result.js'

/** DuckDB's errors start with their kind: `Catalog Error: …`, `Permission Error: …`. */
const DUCKDB_ERROR = /^(?:Failed to extract statements: )?[A-Za-z ]+ Error: /
/** What the Node API puts before an error found while splitting SQL into statements. */
const EXTRACT_PREFIX = /^Failed to extract statements: /

/** A successful tool result: the value as JSON text. */
export function toolResult(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] }
}

/**
 * What the caller is told when a tool fails. Argument and shape problems are stated as they
 * are; errors from DuckDB carry DuckDB's own message (the caller's token, if it appeared, was
 * already replaced by `[REDACTED]` in the pool). Anything else stays in the log.
 */
export function errorMessage(error: unknown): { message: string; expected: boolean } {
  if (error instanceof ArgumentError) return { message: error.message, expected: true }
  if (error instanceof ResultShapeError)
    return { message: `Unexpected result: ${error.message}`, expected: true }
  if (error instanceof UserPoolClosedError) return { message: 'The server is shutting down', expected: true }
  if (error instanceof RefusedStatementError || error instanceof ResultTooLargeError) {
    return { message: error.message, expected: true }
  }
  if (error instanceof QueryTimeoutError) return { message: `SQL error: ${error.message}`, expected: true }
  if (error instanceof UserFunctionShadowedError)
    return { message: 'The database is not safe to query; see the server log', expected: false }
  if (error instanceof PoolBusyError)
    return { message: `The database is busy: ${error.message}`, expected: true }
  if (error instanceof Error && DUCKDB_ERROR.test(error.message)) {
    return { message: `SQL error: ${error.message.replace(EXTRACT_PREFIX, '')}`, expected: true }
  }
  return { message: 'Internal error while running the tool', expected: false }
}

/** A failed tool call as an MCP tool error (a result with `isError`), never a crashed request. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true }
}

/** A value DuckDB quotes in a message: 'text' or "text" (doubled quotes inside). */
const QUOTED_VALUE = /'(?:[^']|'')*'|"(?:[^"]|"")*"/g

/**
 * A tool failure as it may be logged: DuckDB quotes values in its messages (`Could not convert
 * string '<token minus one character>' to INT32`) and repeats the SQL under `LINE n:`, so the
 * log keeps only the message's words: every quoted value is replaced by `'…'` and everything
 * after the first line is dropped. The caller still gets the full message.
 */
export function loggableProblem(message: string): string {
  const firstLine = message.split('\n')[0] ?? ''
  return firstLine.replace(QUOTED_VALUE, "'…'")
}

/** An unexpected error as it may be logged: its class and its message without quoted values. */
export function loggableError(error: unknown): { errorType: string; problem: string } {
  if (!(error instanceof Error)) return { errorType: typeof error, problem: '' }
  return { errorType: error.name, problem: loggableProblem(error.message) }
}
