import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js'
import { COMMON_KEYS, checkCommonKeys } from './common-keys.js'
import type { ParameterDefinition, ResourceDefinition } from './definition-types.js'
import { parseParameters } from './parse-parameters.js'
import { parseTypeSpec } from './parse-type-spec.js'
import { asMapping, join, type ProblemList, readString, rejectUnknownKeys } from './problem-list.js'
import { readSqlSource } from './read-sql-source.js'

const RESOURCE_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  'uri',
  'name',
  'mime_type',
  'return',
  'source',
  'language',
])
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/

/** Template variables must be declared, and every required parameter must be a template variable. */
function checkUriVariables(
  uri: string,
  parameters: readonly ParameterDefinition[],
  path: string,
  problems: ProblemList,
): void {
  let variables: string[]
  try {
    variables = new UriTemplate(uri).variableNames
  } catch (error) {
    problems.add(join(path, 'uri'), `not a valid URI template (${(error as Error).message})`)
    return
  }
  const declared = parameters.map((p) => p.name)
  for (const variable of variables) {
    if (!declared.includes(variable)) {
      problems.add(join(path, 'uri'), `{${variable}} is not a declared parameter`)
    }
  }
  for (const parameter of parameters) {
    if (parameter.default === undefined && !variables.includes(parameter.name)) {
      problems.add(
        join(path, 'parameters'),
        `"${parameter.name}" is required but does not appear in the URI, so no request can give it`,
      )
    }
  }
}

/** Reads the `resource:` mapping of one YAML file; undefined when it has problems or is disabled. */
export function parseResource(
  value: unknown,
  file: string,
  yamlPath: string,
  problems: ProblemList,
): ResourceDefinition | undefined {
  const path = 'resource'
  const before = problems.count
  const mapping = asMapping(value, path, problems)
  if (!mapping) return undefined
  rejectUnknownKeys(mapping, RESOURCE_KEYS, path, problems)
  const enabled = checkCommonKeys(mapping, path, problems)
  const uri = readString(mapping, 'uri', path, problems, true)
  if (uri !== undefined && !SCHEME.test(uri)) problems.add(join(path, 'uri'), 'has no scheme (e.g. data://…)')
  const parameters = parseParameters(mapping, path, problems)
  if (uri !== undefined) checkUriVariables(uri, parameters, path, problems)
  const returns =
    mapping['return'] === undefined
      ? undefined
      : parseTypeSpec(mapping['return'], join(path, 'return'), problems)
  const source = readSqlSource(mapping, path, yamlPath, parameters, problems)
  const name = readString(mapping, 'name', path, problems, false)
  const mimeType = readString(mapping, 'mime_type', path, problems, false)
  const description = readString(mapping, 'description', path, problems, false)
  if (problems.count > before || !enabled || uri === undefined || !source) return undefined
  return {
    kind: 'resource',
    file,
    uri,
    name: name ?? uri,
    description,
    mimeType,
    parameters,
    returns,
    source,
  }
}
