/** The parameter and return types of MXCP's YAML format. */
export const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]

/** String formats MXCP knows; `timestamp` is its alias of JSON Schema's `date-time`. */
export const STRING_FORMATS = ['email', 'uri', 'date', 'time', 'date-time', 'duration', 'timestamp'] as const

/** A type as written in YAML: the JSON Schema subset MXCP uses. */
export interface TypeSpec {
  readonly type: ParameterType
  readonly description?: string | undefined
  readonly enum?: readonly unknown[] | undefined
  readonly default?: unknown
  readonly examples?: readonly unknown[] | undefined
  readonly format?: string | undefined
  readonly minimum?: number | undefined
  readonly maximum?: number | undefined
  readonly exclusiveMinimum?: number | undefined
  readonly exclusiveMaximum?: number | undefined
  readonly multipleOf?: number | undefined
  readonly minLength?: number | undefined
  readonly maxLength?: number | undefined
  readonly pattern?: string | undefined
  readonly minItems?: number | undefined
  readonly maxItems?: number | undefined
  readonly uniqueItems?: boolean | undefined
  readonly items?: TypeSpec | undefined
  readonly properties?: Readonly<Record<string, TypeSpec>> | undefined
  readonly required?: readonly string[] | undefined
  readonly additionalProperties?: boolean | undefined
  /** MXCP's marker for values never to be logged. */
  readonly sensitive?: boolean | undefined
}

/** One declared parameter. Without a `default` it is required. */
export interface ParameterDefinition extends TypeSpec {
  readonly name: string
}

/** SQL ready to run: the text, and the `$name` placeholders it holds (bound as prepared-statement values). */
export interface SqlSource {
  readonly sql: string
  readonly placeholders: readonly string[]
}

/** MCP tool annotations (hints for clients, never trusted for security). */
export interface ToolAnnotations {
  readonly title?: string | undefined
  readonly readOnlyHint?: boolean | undefined
  readonly destructiveHint?: boolean | undefined
  readonly idempotentHint?: boolean | undefined
  readonly openWorldHint?: boolean | undefined
}

interface DefinitionBase {
  /** The YAML file, relative to the project folder, for messages. */
  readonly file: string
  readonly description: string | undefined
  readonly parameters: readonly ParameterDefinition[]
}

export interface ToolDefinition extends DefinitionBase {
  readonly kind: 'tool'
  readonly name: string
  readonly returns: TypeSpec | undefined
  readonly source: SqlSource
  readonly annotations: ToolAnnotations | undefined
}

export interface ResourceDefinition extends DefinitionBase {
  readonly kind: 'resource'
  /** A URI, or an RFC 6570 URI template such as `employee://{id}/profile`. */
  readonly uri: string
  readonly name: string
  readonly mimeType: string | undefined
  readonly returns: TypeSpec | undefined
  readonly source: SqlSource
}

export interface PromptMessage {
  readonly role: 'system' | 'user' | 'assistant'
  /** Text with `{{name}}` placeholders. */
  readonly prompt: string
}

export interface PromptDefinition extends DefinitionBase {
  readonly kind: 'prompt'
  readonly name: string
  readonly messages: readonly PromptMessage[]
}

export type Definition = ToolDefinition | ResourceDefinition | PromptDefinition

/** Everything a project defines in YAML. */
export interface ProjectDefinitions {
  readonly tools: readonly ToolDefinition[]
  readonly resources: readonly ResourceDefinition[]
  readonly prompts: readonly PromptDefinition[]
}
