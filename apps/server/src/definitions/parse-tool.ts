import { COMMON_KEYS, checkCommonKeys } from './common-keys.js'
import type { ToolAnnotations, ToolDefinition } from './definition-types.js'
import { parseParameters } from './parse-parameters.js'
import { parseTypeSpec } from './parse-type-spec.js'
import {
  asMapping,
  join,
  type ProblemList,
  readBoolean,
  readString,
  rejectUnknownKeys,
} from './problem-list.js'
import { readSqlSource } from './read-sql-source.js'

/** MCP (2025-11-25): tool names are 1–128 of A–Z a–z 0–9 _ - . */
export const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/

const TOOL_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  'name',
  'return',
  'source',
  'annotations',
  'language',
])
const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const

function parseAnnotations(
  mapping: Record<string, unknown>,
  path: string,
  problems: ProblemList,
): ToolAnnotations | undefined {
  if (mapping['annotations'] === undefined) return undefined
  const annotationsPath = join(path, 'annotations')
  const annotations = asMapping(mapping['annotations'], annotationsPath, problems)
  if (!annotations) return undefined
  rejectUnknownKeys(annotations, new Set(['title', ...HINTS]), annotationsPath, problems)
  const parsed: Record<string, string | boolean | undefined> = {
    title: readString(annotations, 'title', annotationsPath, problems, false),
  }
  for (const hint of HINTS) parsed[hint] = readBoolean(annotations, hint, annotationsPath, problems)
  return parsed
}

/** Reads the `tool:` mapping of one YAML file; undefined when it has problems or is disabled. */
export function parseTool(
  value: unknown,
  file: string,
  yamlPath: string,
  problems: ProblemList,
): ToolDefinition | undefined {
  const path = 'tool'
  const before = problems.count
  const mapping = asMapping(value, path, problems)
  if (!mapping) return undefined
  rejectUnknownKeys(mapping, TOOL_KEYS, path, problems)
  const enabled = checkCommonKeys(mapping, path, problems)
  const name = readString(mapping, 'name', path, problems, true)
  if (name !== undefined && !TOOL_NAME.test(name)) {
    problems.add(join(path, 'name'), `"${name}" is not a valid tool name (1-128 of A-Z a-z 0-9 _ - .)`)
  }
  const parameters = parseParameters(mapping, path, problems)
  const returns =
    mapping['return'] === undefined
      ? undefined
      : parseTypeSpec(mapping['return'], join(path, 'return'), problems)
  const source = readSqlSource(mapping, path, yamlPath, parameters, problems)
  const annotations = parseAnnotations(mapping, path, problems)
  const description = readString(mapping, 'description', path, problems, false)
  if (problems.count > before || !enabled || name === undefined || !source) return undefined
  return { kind: 'tool', file, name, description, parameters, returns, source, annotations }
}
