import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { UserPoolClosedError } from '@mxcp/duckdb-user-fns'
import { ArgumentError } from '../arguments/argument-error.js'
import { ResultShapeError } from './shape-result.js'

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
  if (error instanceof Error && /^[A-Za-z ]+ Error: /.test(error.message)) {
    return { message: `SQL error: ${error.message}`, expected: true }
  }
  return { message: 'Internal error while running the tool', expected: false }
}

/** A failed tool call as an MCP tool error (a result with `isError`), never a crashed request. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true }
}
