import type { FastifyInstance } from 'fastify'
import { preflight } from '../http/cors.js'
import type { McpContext } from '../http/mcp-context.js'
import { type McpRoutesOptions, mcpErrorHandler } from '../http/mcp-routes.js'
import { requestChecks } from '../http/request-checks.js'
import { SseSessions } from './sse-sessions.js'

/** Where a legacy SSE client opens its event stream; also the protected resource's path. */
export const SSE_PATH = '/sse'

/** Where a legacy SSE client posts its messages (`?sessionId=…`). */
export const MESSAGES_PATH = '/messages'

/** Options of {@link sseRoutes}. */
export type SseRoutesOptions = McpContext & Pick<McpRoutesOptions, 'ownOrigins' | 'guard' | 'sessionLimits'>

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05) for clients that speak only it: `GET /sse`
 * and `POST /messages`, behind the same `Origin` and protocol-version checks and the same
 * bearer guard as `/mcp`. The protected resource is `/sse`, so OAuth discovery
 * (`/.well-known/oauth-protected-resource/sse`) works as for streamable HTTP.
 */
export async function sseRoutes(app: FastifyInstance, options: SseRoutesOptions): Promise<void> {
  app.setErrorHandler(mcpErrorHandler)
  app.addHook('onRequest', requestChecks(options.ownOrigins))
  // A CORS preflight carries no credentials (Fetch standard): it is answered, never guarded.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'OPTIONS') await options.guard(request, reply)
  })
  const sessions = new SseSessions(options, MESSAGES_PATH, options.sessionLimits)
  // Open event streams would keep the HTTP server from closing: end them first.
  app.addHook('preClose', async () => sessions.closeAll())
  app.options(SSE_PATH, preflight)
  app.options(MESSAGES_PATH, preflight)
  app.get(SSE_PATH, (request, reply) => sessions.open(request, reply))
  app.post(MESSAGES_PATH, (request, reply) => sessions.post(request, reply))
}
