import { ErrorCode, type GetPromptResult, McpError, type Prompt } from '@modelcontextprotocol/sdk/types.js'
import { ArgumentError } from '../arguments/argument-error.js'
import { coerceStringArguments } from '../arguments/coerce-string-arguments.js'
import { isRequired } from '../arguments/json-schema.js'
import { ArgumentValidator } from '../arguments/validate-arguments.js'
import type { PromptDefinition } from '../definitions/definition-types.js'
import { PROMPT_PLACEHOLDER } from '../definitions/parse-prompt.js'
import { loggableCaller } from './caller.js'
import { callLineLevel, type ServedPrompt } from './served-items.js'

function render(text: string, values: Readonly<Record<string, unknown>>): string {
  return text.replace(PROMPT_PLACEHOLDER, (_match, name: string) => {
    const value = values[name]
    if (value === undefined || value === null) return ''
    return typeof value === 'string' ? value : JSON.stringify(value)
  })
}

/** A YAML prompt: its `{{name}}` placeholders filled with the validated arguments. */
export function servePrompt(definition: PromptDefinition): ServedPrompt {
  const validator = new ArgumentValidator(definition.parameters)
  const listing: Prompt = {
    name: definition.name,
    ...(definition.description !== undefined && { description: definition.description }),
    arguments: definition.parameters.map((p) => ({
      name: p.name,
      ...(p.description !== undefined && { description: p.description }),
      required: isRequired(p),
    })),
  }
  return {
    listing,
    parameters: definition.parameters,
    async get(args, context): Promise<GetPromptResult> {
      context.log[callLineLevel(context)](
        { prompt: definition.name, user: loggableCaller(context.user) },
        'prompt requested',
      )
      let values: Record<string, unknown>
      try {
        values = validator.validate(coerceStringArguments(definition.parameters, args ?? {}))
      } catch (error) {
        if (error instanceof ArgumentError) throw new McpError(ErrorCode.InvalidParams, error.message)
        throw error
      }
      return {
        ...(definition.description !== undefined && { description: definition.description }),
        messages: definition.messages.map((message) => ({
          // MCP prompt messages have no system role: a system message is given as the user's.
          role: message.role === 'assistant' ? 'assistant' : 'user',
          content: { type: 'text', text: render(message.prompt, values) },
        })),
      }
    },
  }
}
