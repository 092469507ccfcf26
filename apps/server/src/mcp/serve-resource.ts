import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js'
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import type { UserPool } from '@mxcp/duckdb-user-fns'
import { coerceStringArguments } from '../arguments/coerce-string-arguments.js'
import { ArgumentValidator } from '../arguments/validate-arguments.js'
import type { ResourceDefinition } from '../definitions/definition-types.js'
import { loggableCaller } from './caller.js'
import { resourceContent } from './resource-contents.js'
import { runDefinition } from './run-definition.js'
import { callLineLevel, type ResourceListing, type ServedResource } from './served-items.js'
import { errorMessage, loggableError } from './tool-result.js'

function listing(definition: ResourceDefinition, template: boolean): ResourceListing {
  const common = {
    name: definition.name,
    ...(definition.description !== undefined && { description: definition.description }),
    mimeType: definition.mimeType ?? 'application/json',
  }
  return template
    ? { kind: 'template', template: { uriTemplate: definition.uri, ...common } }
    : { kind: 'resource', resource: { uri: definition.uri, ...common } }
}

/**
 * A YAML resource: a fixed URI, or a URI template whose variables are its parameters
 * (`employee://{id}/profile`). The variables arrive as text and are converted to the declared
 * types, then validated, before the SQL runs.
 */
export function serveResource(pool: UserPool, definition: ResourceDefinition): ServedResource {
  const template = UriTemplate.isTemplate(definition.uri) ? new UriTemplate(definition.uri) : undefined
  const runnable = { ...definition, validator: new ArgumentValidator(definition.parameters) }
  return {
    listing: listing(definition, template !== undefined),
    parameters: definition.parameters,
    match(uri): Record<string, string> | undefined {
      if (!template) return uri === definition.uri ? {} : undefined
      const variables = template.match(uri)
      if (!variables) return undefined
      // A variable of a simple `{name}` expression is one string; a list would be a malformed URI.
      const flat: Record<string, string> = {}
      for (const [name, value] of Object.entries(variables)) {
        if (typeof value !== 'string') return undefined
        flat[name] = value
      }
      return flat
    },
    async read(uri, variables, context): Promise<ReadResourceResult> {
      const log = context.log.child({ resource: definition.uri })
      log[callLineLevel(context)]({ user: loggableCaller(context.user) }, 'resource read')
      try {
        const args = coerceStringArguments(definition.parameters, variables)
        const value = await runDefinition(pool, runnable, args, { ...context, log })
        return { contents: [resourceContent(uri, definition.mimeType ?? 'application/json', value)] }
      } catch (error) {
        const { message, expected } = errorMessage(error)
        if (!expected) log.error(loggableError(error), 'resource failed unexpectedly')
        throw new McpError(expected ? ErrorCode.InvalidParams : ErrorCode.InternalError, message)
      }
    },
  }
}
