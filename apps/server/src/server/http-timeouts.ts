import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/** How long the HTTP server waits on a slow or idle client (issue 15, point 6), ms. */
export interface HttpTimeouts {
  /** The whole request, headers and body, must arrive within this (Node `requestTimeout`). */
  readonly requestMs: number
  /** The headers must arrive within this (Node `headersTimeout`). */
  readonly headersMs: number
  /** An idle keep-alive connection is closed after this (Node `keepAliveTimeout`). */
  readonly keepAliveMs: number
  /** How often Node checks requests against the two limits above (`connectionsCheckingInterval`). */
  readonly checkIntervalMs: number
}

/**
 * Defaults: a request has 30 s to arrive (a body sent a byte every ten seconds is cut off, not
 * held for minutes: a slowloris costs the attacker a connection per 30 s), headers 15 s, and an idle
 * keep-alive connection is closed after 5 s (Node's own default; shorter than common proxies' 60 s,
 * so the proxy never reuses a connection we are closing).
 */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  requestMs: 30_000,
  headersMs: 15_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
}

/** The timeouts with `overrides` applied; each must be a positive number of ms, headers no longer than the request. */
export function resolveHttpTimeouts(overrides: Partial<HttpTimeouts> = {}): HttpTimeouts {
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...overrides }
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`HTTP timeout ${name} must be a positive number of ms`)
  }
  return { ...timeouts, headersMs: Math.min(timeouts.headersMs, timeouts.requestMs) }
}

/**
 * A Fastify `serverFactory` that creates the Node HTTP server with these timeouts: Fastify's own
 * options do not reach `connectionsCheckingInterval`, without which a short `requestTimeout` is
 * only checked every 30 s.
 */
export function serverWithTimeouts(
  timeouts: HttpTimeouts,
): (handler: (request: IncomingMessage, response: ServerResponse) => void) => Server {
  return (handler) => {
    const server = createServer(
      {
        requestTimeout: timeouts.requestMs,
        headersTimeout: timeouts.headersMs,
        keepAliveTimeout: timeouts.keepAliveMs,
        connectionsCheckingInterval: timeouts.checkIntervalMs,
      },
      handler,
    )
    return server
  }
}
