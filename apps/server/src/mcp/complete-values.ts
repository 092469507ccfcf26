import type { CompleteResult } from '@modelcontextprotocol/sdk/types.js'
import type { ParameterDefinition } from '../definitions/definition-types.js'

/** MCP caps one completion answer at 100 values (2025-11-25 server/utilities/completion). */
export const MAX_COMPLETION_VALUES = 100

/** The values a parameter is known to take: its `enum`, else its `examples`; `true`/`false` for a boolean. */
export function knownValues(parameter: ParameterDefinition): string[] {
  const values = parameter.enum ?? parameter.examples ?? (parameter.type === 'boolean' ? [true, false] : [])
  return values.flatMap((value) =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? [String(value)]
      : [],
  )
}

/**
 * `completion/complete` for one prompt argument or resource-template variable: the known values
 * that begin with what the user typed (ignoring ASCII case), in their declared order. An unknown
 * argument, or one without known values, completes to nothing.
 */
export function completeArgument(
  parameters: readonly ParameterDefinition[],
  name: string,
  typed: string,
): CompleteResult {
  const parameter = parameters.find((p) => p.name === name)
  const prefix = typed.toLowerCase()
  const matches = (parameter ? knownValues(parameter) : []).filter((value) =>
    value.toLowerCase().startsWith(prefix),
  )
  return {
    completion: {
      values: matches.slice(0, MAX_COMPLETION_VALUES),
      total: matches.length,
      hasMore: matches.length > MAX_COMPLETION_VALUES,
    },
  }
}
