import fastifyRateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/index.js'
import { OAuthError } from '../errors/oauth-error.js'
import type { SingleUseRecords } from '../store/single-use-records.js'
import { clientAddress, rateLimitKey, type TrustFunction } from './trusted-proxy.js'

/**
 * The paths whose requests are counted (RFC 6819 §4.4.1.11, §5.1.4.2.3: limit what an attacker can
 * try): every endpoint that checks a client secret (`/token`, `/revoke`) or can cause an outbound
 * fetch (`/authorize` and `/consent` through a metadata document or the provider, the provider
 * callback), and `/register`. The callback path is the provider's and is added by the plugin.
 */
export const RATE_LIMITED_PATHS = ['/authorize', '/consent', '/token', '/register', '/revoke'] as const

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

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void

/**
 * A `@fastify/rate-limit` store on the OAuth store's single-use records: with PostgreSQL (or one
 * SQLite file) every replica counts in the same window, so N replicas do not allow N times the
 * limit (issue 15, point 10). Keys already name the path and the client address.
 */
function sharedCounterStore(records: SingleUseRecords, clock: Clock): FastifyRateLimitStoreCtor {
  return class SharedCounters {
    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      const now = clock.now()
      records.countHit(`rate:${key}`, timeWindow, now).then(
        (window) => callback(null, { current: window.count, ttl: Math.max(0, window.resetAt - now) }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      )
    }
    child(): SharedCounters {
      return this
    }
  }
}

/** What the limiter needs besides the configuration. */
export interface RateLimitOptions {
  /** Paths to count besides `RATE_LIMITED_PATHS` (the provider's callback). */
  readonly extraPaths: readonly string[]
  /** Trusted proxies: the key is the address the nearest trusted proxy saw, never `X-Forwarded-For`'s left end. */
  readonly trust: TrustFunction | undefined
  readonly records: SingleUseRecords
  readonly clock: Clock
}

/**
 * Rate limits per client address on every counted path of `scope`, with `@fastify/rate-limit`:
 * at most `auth.rate_limit.max` requests per `window_seconds` to each path, then 429 with
 * `Retry-After`. The counters live in the store's single-use records (shared by replicas on a
 * shared store). Registered in the plugin's own scope (never globally) and before the routes,
 * whose `onRoute` hook attaches the limiter. Off with `enabled: false`.
 */
export async function limitRequestRate(
  scope: FastifyInstance,
  config: AuthConfig['rate_limit'],
  options: RateLimitOptions,
): Promise<void> {
  if (!config.enabled) return
  await scope.register(fastifyRateLimit, {
    global: false,
    store: sharedCounterStore(options.records, options.clock),
    errorResponseBuilder: (_request, context) => new TooManyRequestsError(Math.ceil(context.ttl / 1000)),
  })
  // One counter per path: a client that spends its /register budget can still sign in.
  const paths = [...RATE_LIMITED_PATHS, ...options.extraPaths]
  const limiters = new Map<string, Limiter>(
    paths.map((path) => [
      path,
      scope.rateLimit({
        max: config.max,
        timeWindow: config.window_seconds * 1000,
        keyGenerator: (request) => `${path} ${rateLimitKey(clientAddress(request, options.trust))}`,
      }) as Limiter,
    ]),
  )
  scope.addHook('onRoute', (route) => {
    // The path as the route was declared, without the registration prefix.
    const limiter = limiters.get(route.routePath)
    // CORS preflights are not counted: they carry no credentials and do nothing.
    if (limiter && route.method !== 'OPTIONS') addLimiter(route, limiter)
  })
}
