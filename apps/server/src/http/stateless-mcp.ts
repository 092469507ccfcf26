import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'
import { handOver } from './hand-over.js'
import { jsonRpcError, writeRawError } from './json-rpc-error.js'
import type { McpContext } from './mcp-context.js'

/**
 * `POST /mcp` in stateless mode: a fresh MCP server and transport for every request (a
 * stateless transport cannot be reused, and a server connects to one transport only), both
 * closed when the response closes.
 */
export function statelessPost(
  context: McpContext,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async function handleMcpPost(request, reply): Promise<void> {
    const server = createMcpServer(context.catalog, context.identity, request.log)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    })
    const raw = handOver(request, reply, authInfoFor(context.userOf(request)))
    reply.raw.on('close', () => {
      void transport.close()
      void server.close()
    })
    try {
      await server.connect(transport)
      await transport.handleRequest(raw, reply.raw, request.body)
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }
}

/**
 * GET and DELETE without a session (in stateless mode, always): there is no stream to open and
 * no session to end (2025-11-25 basic/transports: 405 when no SSE stream is offered).
 */
export async function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const hint = request.headers['mcp-session-id'] === undefined ? 'without an Mcp-Session-Id, ' : ''
  await reply
    .code(405)
    .header('allow', 'POST')
    .send(jsonRpcError(-32000, `Method not allowed: ${hint}this endpoint takes POST only`))
}
