import type { FastifyInstance } from 'fastify'

/**
 * CORS for the endpoints a browser-based MCP client calls directly (metadata, `/token`,
 * `/register`, `/revoke`): any origin, no credentials. These endpoints use no cookies, so
 * `Access-Control-Allow-Origin: *` exposes nothing. The browser-facing pages get no CORS at all.
 * Registers the `OPTIONS` preflight for each path and adds the header to every response of the
 * routes registered in `scope` after this call.
 */
export function allowCrossOrigin(scope: FastifyInstance, paths: readonly string[]): void {
  scope.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*')
  })
  for (const path of paths) {
    scope.options(path, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, mcp-protocol-version')
        .header('access-control-max-age', '86400')
        .send(),
    )
  }
}
