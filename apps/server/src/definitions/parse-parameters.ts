import { toJsonSchema } from '../arguments/json-schema.js'
import { compileSchema } from '../arguments/validate-arguments.js'
import type { ParameterDefinition } from './definition-types.js'
import { parseTypeSpec } from './parse-type-spec.js'
import { asMapping, join, type ProblemList, readList, readString } from './problem-list.js'

/** A name SQL can use as `$name`. */
export const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Reads `parameters:`: names unique and SQL-safe, types known, defaults of the declared type. */
export function parseParameters(
  mapping: Record<string, unknown>,
  path: string,
  problems: ProblemList,
): ParameterDefinition[] {
  const list = readList(mapping, 'parameters', path, problems) ?? []
  const parameters: ParameterDefinition[] = []
  const seen = new Set<string>()
  list.forEach((item, index) => {
    const itemPath = join(join(path, 'parameters'), index)
    const entry = asMapping(item, itemPath, problems)
    if (!entry) return
    const name = readString(entry, 'name', itemPath, problems, true)
    const spec = parseTypeSpec(entry, itemPath, problems, new Set(['name']))
    if (name === undefined || !spec) return
    if (!PARAMETER_NAME.test(name)) {
      problems.add(join(itemPath, 'name'), `"${name}" is not a valid name (letters, digits and _)`)
      return
    }
    if (seen.has(name)) problems.add(join(itemPath, 'name'), `"${name}" is declared twice`)
    seen.add(name)
    if (spec.default !== undefined && spec.default !== null) {
      const result = checkDefault(spec, spec.default)
      if (result) problems.add(join(itemPath, 'default'), `does not match the parameter's type: ${result}`)
    }
    parameters.push({ ...spec, name })
  })
  return parameters
}

function checkDefault(spec: Parameters<typeof toJsonSchema>[0], value: unknown): string | undefined {
  try {
    const result = compileSchema(toJsonSchema(spec))(value)
    return result.valid ? undefined : result.errorMessage.replace(/\bdata\b/g, 'value')
  } catch (error) {
    return `the type cannot be checked (${(error as Error).message})`
  }
}
