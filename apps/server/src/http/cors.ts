import type { FastifyReply, FastifyRequest } from 'fastify'

/** What a browser-based MCP client must read from our answers: the session, the version, the challenge. */
const EXPOSED_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate'
const ALLOWED_HEADERS =
  'authorization, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id'

/**
 * CORS for an `Origin` already found acceptable (the server's own, or loopback): lets a
 * browser-based client such as the MCP Inspector in direct mode read the answers. No
 * credentials mode: MCP authenticates with a bearer header, never with cookies.
 */
export function allowOrigin(reply: FastifyReply, origin: string): void {
  reply.header('access-control-allow-origin', origin)
  reply.header('vary', 'origin')
  reply.header('access-control-expose-headers', EXPOSED_HEADERS)
}

/** The answer to a CORS preflight (`OPTIONS /mcp`), which carries no token and runs nothing. */
export async function preflight(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await reply
    .code(204)
    .header('access-control-allow-methods', 'GET, POST, DELETE')
    .header('access-control-allow-headers', ALLOWED_HEADERS)
    .header('access-control-max-age', '600')
    .send()
}
