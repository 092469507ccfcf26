import { type ResolvedUrlOptions, resolveBaseUrl } from '@mxcp/auth-core/server-kit'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'

/**
 * Without `base_url`, every request must name a host this server answers for (its listen host,
 * the loopback names, `transport.http.allowed_hosts`; or a host a trusted proxy forwarded): any
 * other `Host` gets 400 on every route, `/mcp` included. This closes DNS rebinding against a
 * server on loopback (a page on `evil.example` rebound to 127.0.0.1 sends `Host: evil.example`)
 * and keeps the issuer from being whatever the request says (issue 15, point 4).
 */
export function hostCheck(urls: ResolvedUrlOptions): onRequestHookHandler {
  return function checkHost(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    try {
      resolveBaseUrl(request, urls)
    } catch (error) {
      request.log.info({ host: request.headers.host }, 'refused a request for a host we do not serve')
      reply
        .code(400)
        .header('cache-control', 'no-store')
        .send({
          error: 'invalid_request',
          error_description: error instanceof Error ? error.message : 'The Host header is not allowed',
        })
      return
    }
    done()
  }
}
