import { PARAMETER_TYPES, type ParameterType, STRING_FORMATS, type TypeSpec } from './definition-types.js'
import {
  asMapping,
  join,
  type ProblemList,
  readBoolean,
  readList,
  readNumber,
  readString,
  rejectUnknownKeys,
} from './problem-list.js'

/** The keys of a type in MXCP's YAML (a JSON Schema subset). */
export const TYPE_SPEC_KEYS: ReadonlySet<string> = new Set([
  'type',
  'description',
  'enum',
  'default',
  'examples',
  'format',
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
  'items',
  'properties',
  'required',
  'additionalProperties',
  'sensitive',
])

function isParameterType(value: unknown): value is ParameterType {
  return typeof value === 'string' && (PARAMETER_TYPES as readonly string[]).includes(value)
}

function readType(mapping: Record<string, unknown>, path: string, problems: ProblemList): ParameterType {
  const value = mapping['type']
  if (value === undefined || value === null) {
    problems.add(join(path, 'type'), `missing (one of ${PARAMETER_TYPES.join(', ')})`)
  } else if (!isParameterType(value)) {
    problems.add(
      join(path, 'type'),
      `unknown type ${JSON.stringify(value)} (expected one of ${PARAMETER_TYPES.join(', ')})`,
    )
  } else {
    return value
  }
  return 'string'
}

function readProperties(
  mapping: Record<string, unknown>,
  path: string,
  problems: ProblemList,
): Record<string, TypeSpec> | undefined {
  if (mapping['properties'] === undefined) return undefined
  const properties = asMapping(mapping['properties'], join(path, 'properties'), problems)
  if (!properties) return undefined
  const parsed: Record<string, TypeSpec> = {}
  for (const [key, value] of Object.entries(properties)) {
    const spec = parseTypeSpec(value, join(join(path, 'properties'), key), problems)
    if (spec) parsed[key] = spec
  }
  return parsed
}

function readStrings(
  mapping: Record<string, unknown>,
  key: string,
  path: string,
  problems: ProblemList,
): string[] | undefined {
  const list = readList(mapping, key, path, problems)
  if (!list) return undefined
  if (!list.every((item) => typeof item === 'string')) {
    problems.add(join(path, key), 'expected a list of strings')
    return undefined
  }
  return list as string[]
}

/**
 * Reads one type (`type`, `description`, `enum`, `minimum`, `items`, …). Problems go to
 * `problems`; the result is undefined only when `value` is not a mapping at all.
 */
export function parseTypeSpec(
  value: unknown,
  path: string,
  problems: ProblemList,
  extraKeys: ReadonlySet<string> = new Set(),
): TypeSpec | undefined {
  const mapping = asMapping(value, path, problems)
  if (!mapping) return undefined
  rejectUnknownKeys(mapping, new Set([...TYPE_SPEC_KEYS, ...extraKeys]), path, problems)
  const type = readType(mapping, path, problems)
  const format = readString(mapping, 'format', path, problems, false)
  if (format !== undefined && !(STRING_FORMATS as readonly string[]).includes(format)) {
    problems.add(
      join(path, 'format'),
      `unknown format ${JSON.stringify(format)} (expected one of ${STRING_FORMATS.join(', ')})`,
    )
  }
  const pattern = readString(mapping, 'pattern', path, problems, false)
  if (pattern !== undefined) {
    try {
      new RegExp(pattern, 'u')
    } catch {
      problems.add(join(path, 'pattern'), 'not a valid regular expression')
    }
  }
  const enumValues = readList(mapping, 'enum', path, problems)
  if (enumValues?.length === 0) problems.add(join(path, 'enum'), 'expected at least one value')
  const items =
    mapping['items'] === undefined
      ? undefined
      : parseTypeSpec(mapping['items'], join(path, 'items'), problems)
  return {
    type,
    description: readString(mapping, 'description', path, problems, false),
    enum: enumValues,
    default: mapping['default'],
    examples: readList(mapping, 'examples', path, problems),
    format,
    minimum: readNumber(mapping, 'minimum', path, problems),
    maximum: readNumber(mapping, 'maximum', path, problems),
    exclusiveMinimum: readNumber(mapping, 'exclusiveMinimum', path, problems),
    exclusiveMaximum: readNumber(mapping, 'exclusiveMaximum', path, problems),
    multipleOf: readNumber(mapping, 'multipleOf', path, problems),
    minLength: readNumber(mapping, 'minLength', path, problems, true),
    maxLength: readNumber(mapping, 'maxLength', path, problems, true),
    pattern,
    minItems: readNumber(mapping, 'minItems', path, problems, true),
    maxItems: readNumber(mapping, 'maxItems', path, problems, true),
    uniqueItems: readBoolean(mapping, 'uniqueItems', path, problems),
    items,
    properties: readProperties(mapping, path, problems),
    required: readStrings(mapping, 'required', path, problems),
    additionalProperties: readBoolean(mapping, 'additionalProperties', path, problems),
    sensitive: readBoolean(mapping, 'sensitive', path, problems),
  }
}
