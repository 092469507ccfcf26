import type { FastifyInstance } from 'fastify'
import { FORM_BODY_LIMIT } from '../defaults.js'

/**
 * A body size limit on every route of `scope` that does not set its own (RFC 6819 §4.4.1.11:
 * resource exhaustion). Fastify's default is 1 MiB, and it reads a body for every method but GET,
 * HEAD and TRACE, CORS preflights included; none of our endpoints needs more than a small form.
 * Register before the routes: it is an `onRoute` hook.
 */
export function limitBodySize(scope: FastifyInstance, bytes: number = FORM_BODY_LIMIT): void {
  scope.addHook('onRoute', (route) => {
    route.bodyLimit ??= bytes
  })
}
