import type { IncomingMessage } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Takes the response away from Fastify for the MCP transport (MCP-NOTES B.5): hijack first (or
 * Fastify would try to answer too), then copy the headers hooks already set (hijacked replies
 * skip `onSend`), and put the caller on the raw request, where the transport reads it as
 * `extra.authInfo`.
 */
export function handOver(
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthInfo,
): IncomingMessage & { auth: AuthInfo } {
  reply.hijack()
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value)
  }
  return Object.assign(request.raw, { auth })
}
