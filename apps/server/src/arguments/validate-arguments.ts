import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import type { ParameterDefinition } from '../definitions/definition-types.js'
import { ArgumentError } from './argument-error.js'
import { isRequired, toJsonSchema } from './json-schema.js'

const ajv = new AjvJsonSchemaValidator()

/** Compiles a JSON Schema once; Ajv throws here on a schema it cannot use. */
export function compileSchema(schema: JsonSchemaType): JsonSchemaValidator<unknown> {
  return ajv.getValidator(schema)
}

/** Validates `arguments` against declared parameters: compiled once per definition. */
export class ArgumentValidator {
  readonly #parameters: readonly ParameterDefinition[]
  readonly #validators: ReadonlyMap<string, JsonSchemaValidator<unknown>>

  constructor(parameters: readonly ParameterDefinition[]) {
    this.#parameters = parameters
    this.#validators = new Map(parameters.map((p) => [p.name, compileSchema(toJsonSchema(p))]))
  }

  /**
   * Checks every argument against its parameter's type, before any SQL runs: unknown names,
   * missing required parameters and values of the wrong type or range are refused with one
   * message per problem. Returns the arguments with defaults filled in.
   */
  validate(args: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
    const given = args ?? {}
    const problems: string[] = []
    const known = new Set(this.#parameters.map((p) => p.name))
    for (const name of Object.keys(given)) {
      if (!known.has(name)) problems.push(`unknown parameter "${name}"`)
    }
    const values: Record<string, unknown> = {}
    for (const parameter of this.#parameters) {
      const value = given[parameter.name]
      if (value === undefined) {
        if (isRequired(parameter)) problems.push(`missing required parameter "${parameter.name}"`)
        else values[parameter.name] = parameter.default
        continue
      }
      const result = this.#validators.get(parameter.name)?.(value)
      if (result && !result.valid) {
        // Ajv says "data must be …"; name the parameter instead of "data".
        problems.push(`parameter "${parameter.name}": ${result.errorMessage.replace(/\bdata\b/g, 'value')}`)
      }
      values[parameter.name] = value
    }
    if (problems.length > 0) throw new ArgumentError(problems)
    return values
  }
}
