import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { MxcpGuard } from '@mxcp/auth-core'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { preflight } from './cors.js'
import { jsonRpcError } from './json-rpc-error.js'
import type { McpContext } from './mcp-context.js'
import { McpSessions } from './mcp-sessions.js'
import type { SessionLimits } from './owned-sessions.js'
import { requestChecks } from './request-checks.js'
import { methodNotAllowed, statelessPost } from './stateless-mcp.js'

/** Options of {@link mcpRoutes}. */
export interface McpRoutesOptions extends McpContext {
  /** Default `/mcp`. */
  readonly path?: string
  /** A fresh server per request, or MCP sessions (the default, as in MXCP). */
  readonly stateless: boolean
  /** The server's own origins, allowed in `Origin` besides loopback ones. */
  readonly ownOrigins: () => ReadonlySet<string>
  /** The bearer guard (`app.mxcpGuard`), which sets `request.user`. */
  readonly guard: MxcpGuard
  /** Caps on open MCP sessions (default `DEFAULT_MAX_SESSIONS`, `DEFAULT_MAX_SESSIONS_PER_USER`). */
  readonly sessionLimits?: Partial<SessionLimits> | undefined
}

/**
 * Errors Fastify raises before the MCP transport sees the request (malformed JSON, a body over
 * the limit) in the JSON-RPC shape MCP clients read; a 5xx never shows its cause.
 */
export function mcpErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500
  if (status >= 500) {
    request.log.error({ err: error }, 'MCP request failed')
    return reply.code(status).send(jsonRpcError(ErrorCode.InternalError, 'Internal error'))
  }
  const code =
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
      ? ErrorCode.ParseError
      : -32000
  return reply.code(status).send(jsonRpcError(code, error.message))
}

/**
 * In session mode, a request takes part in a session when it names one, or opens one with
 * `initialize`. Any other request (a single `tools/call` posted by a script, say) is answered
 * on its own, as in stateless mode: this server does not require sessions, so it does not
 * refuse them with the 400 the transport spec advises for servers that do.
 */
function opensOrUsesSession(request: FastifyRequest): boolean {
  if (request.headers['mcp-session-id'] !== undefined) return true
  return request.method === 'POST' && isInitializeRequest(request.body)
}

/**
 * The MCP endpoint, as an encapsulated plugin so that its hooks apply to it alone: `Origin` and
 * `MCP-Protocol-Version` checks, then the guard, on every request of every method.
 */
export async function mcpRoutes(app: FastifyInstance, options: McpRoutesOptions): Promise<void> {
  const path = options.path ?? '/mcp'
  app.setErrorHandler(mcpErrorHandler)
  app.addHook('onRequest', requestChecks(options.ownOrigins))
  // A CORS preflight carries no credentials (Fetch standard): it is answered, never guarded.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS') await options.guard(request, reply)
  })
  app.options(path, preflight)
  if (options.stateless) {
    app.post(path, statelessPost(options))
    app.get(path, methodNotAllowed)
    app.delete(path, methodNotAllowed)
    return
  }
  const sessions = new McpSessions(options, options.sessionLimits)
  const sessionless = statelessPost(options)
  // Open SSE streams would keep the HTTP server from closing: end the sessions first.
  app.addHook('preClose', async () => sessions.closeAll())
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: path,
    handler: (request, reply) => {
      if (opensOrUsesSession(request)) return sessions.handle(request, reply)
      return request.method === 'POST' ? sessionless(request, reply) : methodNotAllowed(request, reply)
    },
  })
}
