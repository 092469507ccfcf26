import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger } from 'fastify'
import { callerOf } from './caller.js'
import type { Catalog } from './served-items.js'

/** MCP: "Resource not found" (spec, server/resources, Error Handling). */
const RESOURCE_NOT_FOUND = -32002

/** Who the server says it is in `initialize`. */
export interface ServerIdentity {
  readonly name: string
  readonly version: string
}

/**
 * A low-level MCP `Server` answering from the catalog: tools, resources, resource templates and
 * prompts, each handler reading the caller from `extra.authInfo`. Cheap to build: stateless
 * mode builds one per request (a `Server` connects to a single transport).
 */
export function createMcpServer(catalog: Catalog, identity: ServerIdentity, log: FastifyBaseLogger): Server {
  const server = new Server(
    { name: identity.name, version: identity.version },
    { capabilities: { tools: {}, resources: {}, prompts: {} } },
  )
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...catalog.tools.values()].map((tool) => tool.listing),
  }))
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = catalog.tools.get(request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    return tool.call(request.params.arguments, { user: callerOf(extra.authInfo), log })
  })
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: catalog.resources.flatMap((r): Resource[] =>
      r.listing.kind === 'resource' ? [r.listing.resource] : [],
    ),
  }))
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: catalog.resources.flatMap((r): ResourceTemplate[] =>
      r.listing.kind === 'template' ? [r.listing.template] : [],
    ),
  }))
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => {
    const { uri } = request.params
    for (const resource of catalog.resources) {
      const variables = resource.match(uri)
      if (variables) return resource.read(uri, variables, { user: callerOf(extra.authInfo), log })
    }
    throw new McpError(RESOURCE_NOT_FOUND, 'Resource not found', { uri })
  })
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: [...catalog.prompts.values()].map((prompt) => prompt.listing),
  }))
  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => {
    const prompt = catalog.prompts.get(request.params.name)
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`)
    return prompt.get(request.params.arguments, { user: callerOf(extra.authInfo), log })
  })
  return server
}
