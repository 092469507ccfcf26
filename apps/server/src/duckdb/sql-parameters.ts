import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBType,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api'
import type { ParameterDefinition, TypeSpec } from '../definitions/definition-types.js'

/** Values and types for a prepared statement's named parameters. */
export interface BoundParameters {
  readonly values: Record<string, DuckDBValue>
  readonly types: Record<string, DuckDBType>
}

function duckdbType(spec: TypeSpec | undefined): DuckDBType {
  switch (spec?.type) {
    case 'integer':
      return BIGINT
    case 'number':
      return DOUBLE
    case 'boolean':
      return BOOLEAN
    case 'array':
      return LIST(duckdbType(spec.items))
    default:
      // Strings, and objects as JSON text (below).
      return VARCHAR
  }
}

function duckdbValue(spec: TypeSpec | undefined, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null
  if (spec?.type === 'array' && Array.isArray(value)) {
    return listValue(value.map((item) => duckdbValue(spec.items, item)))
  }
  // Objects go in as JSON text: a STRUCT would need its exact shape when the statement is
  // prepared, while JSON text works with `$p::JSON`, `->>` and the json_* functions.
  if (spec?.type === 'object' || (typeof value === 'object' && !Array.isArray(value))) {
    return JSON.stringify(value)
  }
  // BIGINT takes a bigint; DuckDB casts it to the column's type where needed.
  if (spec?.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  return JSON.stringify(value)
}

/**
 * Turns validated arguments into prepared-statement parameters for exactly the `$name`
 * placeholders the SQL holds (DuckDB refuses values for names the statement lacks). Values are
 * always bound, never spliced into SQL text.
 */
export function bindParameters(
  parameters: readonly ParameterDefinition[],
  args: Readonly<Record<string, unknown>>,
  placeholders: readonly string[],
): BoundParameters {
  const byName = new Map(parameters.map((p) => [p.name, p]))
  const values: Record<string, DuckDBValue> = {}
  const types: Record<string, DuckDBType> = {}
  for (const name of placeholders) {
    const spec = byName.get(name)
    values[name] = duckdbValue(spec, args[name])
    types[name] = duckdbType(spec)
  }
  return { values, types }
}
