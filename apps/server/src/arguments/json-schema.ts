import type { ParameterDefinition, TypeSpec } from '../definitions/definition-types.js'

/** A JSON Schema document (the draft 2020-12 subset MCP clients understand). */
export type JsonSchema = { [key: string]: unknown }

/** The tool `inputSchema` of MCP: always an object schema. */
export interface ObjectJsonSchema extends JsonSchema {
  type: 'object'
  properties: Record<string, JsonSchema>
  required: string[]
  additionalProperties: false
}

const COPIED_KEYS = [
  'description',
  'enum',
  'default',
  'examples',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'required',
  'additionalProperties',
] as const satisfies readonly (keyof TypeSpec)[]

/** JSON Schema of one MXCP type. */
export function toJsonSchema(spec: TypeSpec): JsonSchema {
  const schema: JsonSchema = { type: spec.type }
  for (const key of COPIED_KEYS) {
    if (spec[key] !== undefined) schema[key] = spec[key]
  }
  // MXCP's `timestamp` is JSON Schema's `date-time`.
  if (spec.format !== undefined) schema['format'] = spec.format === 'timestamp' ? 'date-time' : spec.format
  if (spec.items) schema['items'] = toJsonSchema(spec.items)
  if (spec.properties) {
    schema['properties'] = Object.fromEntries(
      Object.entries(spec.properties).map(([key, value]) => [key, toJsonSchema(value)]),
    )
  }
  return schema
}

/** A parameter without a `default` must be given. */
export function isRequired(parameter: ParameterDefinition): boolean {
  return parameter.default === undefined
}

/** The `inputSchema` of a tool (MCP `tools/list`) from its declared parameters. */
export function inputSchema(parameters: readonly ParameterDefinition[]): ObjectJsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, toJsonSchema(p)])),
    required: parameters.filter(isRequired).map((p) => p.name),
    additionalProperties: false,
  }
}
