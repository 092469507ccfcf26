import type { TSchema } from 'typebox'
import Value from 'typebox/value'
import { ConfigError } from './config-error.js'
import { changedNumbers } from './fractional-numbers.js'

/** Where a typebox error points, as a dotted key path under `prefix`. */
function keyPath(prefix: string, instancePath: string, keyName: (key: string) => string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => keyName(part.replace(/~1/g, '/').replace(/~0/g, '~')))
  return [prefix, ...parts].filter(Boolean).join('.')
}

function describe(error: {
  keyword: string
  message: string
  params: Record<string, unknown>
  schema?: unknown
}): string {
  if (error.keyword === 'additionalProperties') return 'unknown key'
  if (error.keyword === 'required')
    return `missing required key ${JSON.stringify(error.params['requiredProperties'] ?? error.params)}`
  if (error.keyword === 'type') return `expected ${String(error.params['type'])}`
  if (error.keyword === 'const' || error.keyword === 'anyOf' || error.keyword === 'enum')
    return 'not one of the allowed values'
  return error.message
}

/**
 * Checks `value` against `schema` after filling defaults and converting scalar strings
 * (`"8000"` from an environment variable) to the declared type. Every problem names the key's
 * full path, spelled by `keyName` (a provider block's options are checked in camelCase and reported
 * in the configuration's snake_case). Returns the value with defaults applied.
 */
export function validateWithSchema<T>(
  schema: TSchema,
  value: unknown,
  prefix: string,
  source: string,
  keyName: (key: string) => string = (key) => key,
): T {
  const converted = Value.Convert(schema, Value.Clone(value ?? {}))
  const truncated = changedNumbers(value ?? {}, converted, '').map((path) =>
    [prefix, ...path.split('.').filter(Boolean).map(keyName)].filter(Boolean).join('.'),
  )
  if (truncated.length > 0) {
    throw ConfigError.many(
      source,
      truncated.map((path) => `${path}: expected integer`),
    )
  }
  const filled = Value.Default(schema, converted)
  if (Value.Check(schema, filled)) return filled as T
  const problems: string[] = []
  const seen = new Set<string>()
  for (const error of Value.Errors(schema, filled)) {
    if (error.keyword === 'boolean') continue // the per-key twin of `additionalProperties`
    const unknownKeys =
      error.keyword === 'additionalProperties'
        ? (error.params as { additionalProperties?: string[] }).additionalProperties
        : undefined
    const lines = unknownKeys
      ? unknownKeys.map((key) => `${keyPath(prefix, `${error.instancePath}/${key}`, keyName)}: unknown key`)
      : [`${keyPath(prefix, error.instancePath, keyName)}: ${describe(error as never)}`]
    for (const line of lines) {
      if (seen.has(line)) continue
      seen.add(line)
      problems.push(line)
    }
  }
  throw ConfigError.many(source, problems)
}
