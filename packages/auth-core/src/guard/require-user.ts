import type { FastifyRequest } from 'fastify'
import type { UserContext } from '../user-context.js'

/**
 * The caller of a guarded route, typed non-null: `requireUser(request).username`. Throws when the
 * route has no guard (`mxcpGuard` or `mxcpVerify`), a mistake of the app, never of the caller.
 */
export function requireUser(request: FastifyRequest): UserContext {
  const user = request.user
  if (user === null || user === undefined) {
    throw new Error(
      `requireUser: ${request.method} ${request.routeOptions.url ?? request.url} has no mxcpGuard, so request.user is not set`,
    )
  }
  return user
}
