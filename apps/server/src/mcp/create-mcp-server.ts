import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  type CompleteResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type RequestId,
  type Resource,
  type ResourceTemplate,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import type { UserContext } from '@mxcp/auth-core'
import type { FastifyBaseLogger } from 'fastify'
import { type ClientLogLevel, callReporter } from './call-reporter.js'
import { callerOf } from './caller.js'
import { completeArgument } from './complete-values.js'
import type { Catalog } from './served-items.js'

/** MCP: "Resource not found" (spec, server/resources, Error Handling). */
const RESOURCE_NOT_FOUND = -32002

/**
 * The JSON Schema validator every server shares. The SDK would build one per `Server`: a fresh
 * Ajv instance, ~0.4 ms of CPU, most of what building a server cost (with it shared, ~20 µs).
 * It holds nothing of a request, only the schemas it compiled (elicitation schemas; ours are
 * validated elsewhere), so one serves every server.
 */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator()

/** Who the server says it is in `initialize`. */
export interface ServerIdentity {
  readonly name: string
  readonly version: string
}

/**
 * Where a server's handlers log: one logger (a server per request or per session), or the
 * logger of each request, by the id the server knows it by (one server shared by requests).
 */
export type HandlerLog = FastifyBaseLogger | ((requestId: RequestId) => FastifyBaseLogger)

/**
 * A low-level MCP `Server` answering from the catalog: tools, resources, resource templates and
 * prompts, each handler reading the caller from `extra.authInfo` (else `localCaller`: stdio's
 * local user); `logging/setLevel` and `completion/complete` (2025-11-25 server/utilities).
 * Cheap to build, and everything that can be shared is (the JSON Schema validator): stateless
 * mode builds one for each request the shared server does not answer (a `Server` connects to a
 * single transport).
 */
export function createMcpServer(
  catalog: Catalog,
  identity: ServerIdentity,
  log: HandlerLog,
  localCaller?: UserContext,
): Server {
  // Over HTTP the guard puts the caller on every request; over stdio there is none: the local user.
  const callerOfRequest = (authInfo: AuthInfo | undefined): UserContext =>
    authInfo === undefined && localCaller !== undefined ? localCaller : callerOf(authInfo)
  // Over HTTP the guard logs every authenticated request's caller at info (`authenticated request`).
  const callContext = ({ authInfo, requestId }: { authInfo?: AuthInfo; requestId: RequestId }) => {
    const user = callerOfRequest(authInfo)
    const logger = typeof log === 'function' ? log(requestId) : log
    return { user, log: logger, callerLogged: authInfo !== undefined && !user.anonymous }
  }
  const server = new Server(
    { name: identity.name, version: identity.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} },
      jsonSchemaValidator: SHARED_VALIDATOR,
    },
  )
  // One server per session (or per request, or per stdio process): its client's level is its own.
  const clientLevel: ClientLogLevel = { level: undefined }
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    clientLevel.level = request.params.level
    return {}
  })
  server.setRequestHandler(CompleteRequestSchema, (request): CompleteResult => {
    const { ref, argument } = request.params
    const parameters =
      ref.type === 'ref/prompt'
        ? catalog.prompts.get(ref.name)?.parameters
        : catalog.resources.find(
            (r) => r.listing.kind === 'template' && r.listing.template.uriTemplate === ref.uri,
          )?.parameters
    if (!parameters) {
      const what = ref.type === 'ref/prompt' ? `prompt: ${ref.name}` : `resource template: ${ref.uri}`
      throw new McpError(ErrorCode.InvalidParams, `Unknown ${what}`)
    }
    return completeArgument(parameters, argument.name, argument.value)
  })
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...catalog.tools.values()].map((tool) => tool.listing),
  }))
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = catalog.tools.get(request.params.name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    return tool.call(request.params.arguments, {
      ...callContext(extra),
      report: callReporter(clientLevel, extra),
    })
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
      if (variables) return resource.read(uri, variables, callContext(extra))
    }
    throw new McpError(RESOURCE_NOT_FOUND, 'Resource not found', { uri })
  })
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: [...catalog.prompts.values()].map((prompt) => prompt.listing),
  }))
  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => {
    const prompt = catalog.prompts.get(request.params.name)
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`)
    return prompt.get(request.params.arguments, callContext(extra))
  })
  return server
}
