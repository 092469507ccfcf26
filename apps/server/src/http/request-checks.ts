import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js'
import { isLoopbackHost } from '@mxcp/auth-core/server-kit'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { allowOrigin } from './cors.js'
import { jsonRpcError } from './json-rpc-error.js'

/** `http(s)://localhost|127.0.0.1|[::1][:port]`: a page served from this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname)
  } catch {
    return false
  }
}

/**
 * The `Origin` and `MCP-Protocol-Version` checks of the MCP transport (2025-11-25
 * basic/transports): a present `Origin` that is neither one of the server's own origins nor a
 * loopback one gets 403 (DNS rebinding protection); a present but unsupported protocol version
 * gets 400. The server's own origins are never taken from the request's `Host`: a rebound
 * DNS name would then allow itself. An accepted `Origin` gets CORS headers.
 */
export function requestChecks(ownOrigins: () => ReadonlySet<string>): onRequestHookHandler {
  return function checkMcpRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const origin = request.headers.origin
    if (origin !== undefined && !ownOrigins().has(origin) && !isLoopbackOrigin(origin)) {
      request.log.info({ origin }, 'refused a foreign Origin')
      reply.code(403).send(jsonRpcError(-32000, 'Forbidden: Origin not allowed'))
      return
    }
    if (origin !== undefined) allowOrigin(reply, origin)
    const version = request.headers['mcp-protocol-version']
    if (
      version !== undefined &&
      (typeof version !== 'string' || !SUPPORTED_PROTOCOL_VERSIONS.includes(version))
    ) {
      reply
        .code(400)
        .send(
          jsonRpcError(
            -32000,
            `Bad Request: Unsupported protocol version (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
          ),
        )
      return
    }
    done()
  }
}
