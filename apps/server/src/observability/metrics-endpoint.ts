import { timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { ServerMetrics } from './metrics.js'

/** The environment variable holding the bearer token `/metrics` on the main listener asks for. */
export const METRICS_TOKEN_ENV = 'MXCP_METRICS_TOKEN'
/** A token shorter than this is refused at start-up. */
export const MIN_METRICS_TOKEN_LENGTH = 16

function sameToken(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(token)
  return presented.length === expected.length && timingSafeEqual(presented, expected)
}

/**
 * `GET /metrics` on the main listener, only with `Authorization: Bearer <MXCP_METRICS_TOKEN>`
 * (401 otherwise, and the same 401 whatever was wrong). Logs at warn only (a scraper polls).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: ServerMetrics, token: string): void {
  if (token.length < MIN_METRICS_TOKEN_LENGTH) {
    throw new Error(
      `metrics on the main listener need ${METRICS_TOKEN_ENV} of at least ${MIN_METRICS_TOKEN_LENGTH} characters (or set metrics.port for a listener of their own)`,
    )
  }
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (!sameToken(request.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' })
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

/**
 * A listener of its own for `GET /metrics` (no token: bind it to a private address; the default
 * host is 127.0.0.1). Resolves with the server once listening; its `address()` has the port.
 */
export async function listenForMetrics(metrics: ServerMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    metrics.registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
