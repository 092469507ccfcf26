import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { inputSchema } from '../arguments/json-schema.js'
import type { ParameterDefinition } from '../definitions/definition-types.js'
import { loggableCaller } from './caller.js'
import { type CallContext, callLineLevel, type ServedTool } from './served-items.js'
import { errorMessage, loggableError, loggableProblem, toolError, toolResult } from './tool-result.js'

/** A tool's `tools/list` entry. */
export function toolListing(
  name: string,
  description: string | undefined,
  parameters: readonly ParameterDefinition[],
  annotations?: Tool['annotations'],
): Tool {
  const listing: Tool = { name, inputSchema: inputSchema(parameters) as Tool['inputSchema'] }
  if (description !== undefined) listing.description = description
  if (annotations !== undefined) listing.annotations = annotations
  return listing
}

/**
 * Wraps a tool body so that every call is logged with its caller (never a token) and every
 * failure becomes an MCP tool error with a clear message instead of a failed request.
 */
export function serveTool(
  listing: Tool,
  body: (args: Record<string, unknown> | undefined, context: CallContext) => Promise<unknown>,
): ServedTool {
  return {
    listing,
    async call(args, context): Promise<CallToolResult> {
      const log = context.log.child({ tool: listing.name })
      log[callLineLevel(context)]({ user: loggableCaller(context.user) }, 'tool called')
      const started = performance.now()
      await context.report?.('started', 'info', { tool: listing.name, message: 'tool started' })
      try {
        // The tool's own lines (the SQL it ran) carry its name too.
        const result = toolResult(await body(args, { ...context, log }))
        await context.report?.('finished', 'info', {
          tool: listing.name,
          message: 'tool finished',
          ms: Math.round(performance.now() - started),
        })
        return result
      } catch (error) {
        const { message, expected } = errorMessage(error)
        if (expected) log.info({ problem: loggableProblem(message) }, 'tool failed')
        else log.error(loggableError(error), 'tool failed unexpectedly')
        await context.report?.('failed', 'error', { tool: listing.name, message })
        return toolError(message)
      }
    },
  }
}
