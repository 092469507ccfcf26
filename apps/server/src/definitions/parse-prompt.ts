import { COMMON_KEYS, checkCommonKeys } from './common-keys.js'
import type { ParameterDefinition, PromptDefinition, PromptMessage } from './definition-types.js'
import { parseParameters } from './parse-parameters.js'
import { TOOL_NAME } from './parse-tool.js'
import { asMapping, join, type ProblemList, readList, readString, rejectUnknownKeys } from './problem-list.js'

/** `{{ name }}` in a prompt's text. */
export const PROMPT_PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

const PROMPT_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, 'name', 'messages'])
const MESSAGE_KEYS: ReadonlySet<string> = new Set(['role', 'type', 'prompt'])
const ROLES: readonly string[] = ['system', 'user', 'assistant']

function parseMessage(
  value: unknown,
  path: string,
  parameters: readonly ParameterDefinition[],
  problems: ProblemList,
): PromptMessage | undefined {
  const message = asMapping(value, path, problems)
  if (!message) return undefined
  rejectUnknownKeys(message, MESSAGE_KEYS, path, problems)
  const role = readString(message, 'role', path, problems, true)
  if (role !== undefined && !ROLES.includes(role)) {
    problems.add(join(path, 'role'), `"${role}" is not a role (expected ${ROLES.join(', ')})`)
  }
  const type = readString(message, 'type', path, problems, false)
  if (type !== undefined && type !== 'text')
    problems.add(join(path, 'type'), `"${type}" is not supported (only text)`)
  const prompt = readString(message, 'prompt', path, problems, true)
  if (prompt === undefined || role === undefined || !ROLES.includes(role)) return undefined
  if (prompt.includes('{%')) {
    problems.add(
      join(path, 'prompt'),
      'template tags ({% … %}) are not supported: only {{name}} placeholders',
    )
  }
  const declared = parameters.map((p) => p.name)
  for (const [, name] of prompt.matchAll(PROMPT_PLACEHOLDER)) {
    if (name !== undefined && !declared.includes(name)) {
      problems.add(join(path, 'prompt'), `{{${name}}} is not a declared parameter`)
    }
  }
  return { role: role as PromptMessage['role'], prompt }
}

/** Reads the `prompt:` mapping of one YAML file; undefined when it has problems or is disabled. */
export function parsePrompt(
  value: unknown,
  file: string,
  problems: ProblemList,
): PromptDefinition | undefined {
  const path = 'prompt'
  const before = problems.count
  const mapping = asMapping(value, path, problems)
  if (!mapping) return undefined
  rejectUnknownKeys(mapping, PROMPT_KEYS, path, problems)
  const enabled = checkCommonKeys(mapping, path, problems)
  const name = readString(mapping, 'name', path, problems, true)
  if (name !== undefined && !TOOL_NAME.test(name)) {
    problems.add(join(path, 'name'), `"${name}" is not a valid prompt name (1-128 of A-Z a-z 0-9 _ - .)`)
  }
  const parameters = parseParameters(mapping, path, problems)
  const list = readList(mapping, 'messages', path, problems)
  if (!list || list.length === 0) problems.add(join(path, 'messages'), 'expected at least one message')
  const messages = (list ?? []).map((item, index) =>
    parseMessage(item, join(join(path, 'messages'), index), parameters, problems),
  )
  const description = readString(mapping, 'description', path, problems, false)
  if (problems.count > before || !enabled || name === undefined) return undefined
  return {
    kind: 'prompt',
    file,
    name,
    description,
    parameters,
    messages: messages.filter((m): m is PromptMessage => m !== undefined),
  }
}
