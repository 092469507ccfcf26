import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { AuthConfig } from '../config/index.js'
import { OAuthError } from '../errors/oauth-error.js'

/** The paths whose requests are counted (RFC 6819 §4.4.1.11, §5.1.4.2.3: limit what an attacker can try). */
export const RATE_LIMITED_PATHS = ['/authorize', '/token', '/register'] as const

/**
 * 429 with `temporarily_unavailable` (RFC 6749 §4.1.2.1: "temporary overloading"), the closest
 * code RFC 6749 has; `Retry-After` says when to come back. The JSON endpoints send it as §5.2
 * JSON, the browser pages as an HTML page.
 */
export class TooManyRequestsError extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super(429, 'temporarily_unavailable', `Too many requests; try again in ${retryAfterSeconds} seconds`)
  }
}

type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** Prepends `limiter` to a route's `onRequest` hooks, so a refused request costs nothing more. */
function addLimiter(route: RouteOptions, limiter: Limiter): void {
  const hooks = route.onRequest === undefined ? [] : [route.onRequest].flat()
  route.onRequest = [limiter, ...hooks]
}

/**
 * Rate limits per client IP (`request.ip`: behind a proxy, set Fastify's `trustProxy` so it is the
 * client's address) on `/authorize`, `/token` and `/register` of `scope`, with
 * `@fastify/rate-limit`: at most `auth.rate_limit.max` requests per `window_seconds` to each path,
 * then 429 with `Retry-After`. Registered in the plugin's own scope (never globally) and before
 * the routes, whose `onRoute` hook attaches the limiter. Off with `enabled: false`.
 */
export async function limitRequestRate(
  scope: FastifyInstance,
  config: AuthConfig['rate_limit'],
): Promise<void> {
  if (!config.enabled) return
  await scope.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new TooManyRequestsError(Math.ceil(context.ttl / 1000)),
  })
  // One counter per path: a client that spends its /register budget can still sign in.
  const limiters = new Map<string, Limiter>(
    RATE_LIMITED_PATHS.map((path) => [
      path,
      scope.rateLimit({ max: config.max, timeWindow: config.window_seconds * 1000 }) as Limiter,
    ]),
  )
  scope.addHook('onRoute', (route) => {
    const limiter = limiters.get(route.url ?? route.path)
    // CORS preflights are not counted: they carry no credentials and do nothing.
    if (limiter && route.method !== 'OPTIONS') addLimiter(route, limiter)
  })
}
