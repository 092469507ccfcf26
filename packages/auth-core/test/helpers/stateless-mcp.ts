import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { requireUser, type UserContext } from '../../src/index.js'

/** A fresh MCP server per request (stateless), with one tool that answers who is calling. */
export function buildServer(user: UserContext): McpServer {
  const server = new McpServer({ name: 'e2e', version: '1.0.0' })
  server.registerTool('whoami', { description: 'The username of the caller' }, async (extra) => ({
    content: [{ type: 'text', text: user.username }],
    structuredContent: { username: user.username, clientId: extra.authInfo?.clientId ?? null },
  }))
  return server
}

/** Stateless Streamable HTTP in Fastify, as in MCP-NOTES B.5. */
export async function serveMcp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const server = buildServer(requireUser(request))
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  reply.hijack()
  reply.raw.on('close', () => {
    void transport.close()
    void server.close()
  })
  try {
    await server.connect(transport)
    const token = request.headers.authorization?.slice('Bearer '.length) ?? ''
    Object.assign(request.raw, {
      auth: { token, clientId: requireUser(request).clientId, scopes: [...requireUser(request).scopes] },
    })
    await transport.handleRequest(request.raw, reply.raw, request.body)
  } catch {
    if (!reply.raw.headersSent) {
      reply.raw.writeHead(500, { 'content-type': 'application/json' })
      reply.raw.end(
        JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
      )
    } else reply.raw.end()
  }
}
