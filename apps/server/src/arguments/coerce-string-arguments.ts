import type { ParameterDefinition } from '../definitions/definition-types.js'

const INTEGER = /^[+-]?\d+$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

function coerce(parameter: ParameterDefinition, text: string): unknown {
  switch (parameter.type) {
    case 'integer':
      return INTEGER.test(text) ? Number(text) : text
    case 'number':
      return NUMBER.test(text) ? Number(text) : text
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text
    case 'array':
    case 'object':
      try {
        return JSON.parse(text)
      } catch {
        return text
      }
    default:
      return text
  }
}

/**
 * URI template variables and prompt arguments arrive as strings: converts each to its declared
 * type where the text spells one (`"42"` → 42 for an integer). Anything else is left as it is,
 * so the type check that follows refuses it with a clear message.
 */
export function coerceStringArguments(
  parameters: readonly ParameterDefinition[],
  args: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const byName = new Map(parameters.map((p) => [p.name, p]))
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => {
      const parameter = byName.get(name)
      return [name, parameter && typeof value === 'string' ? coerce(parameter, value) : value]
    }),
  )
}
