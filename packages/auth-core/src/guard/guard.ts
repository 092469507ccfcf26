import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/index.js'
import { OAuthError } from '../errors/oauth-error.js'
import { type ResolvedUrlOptions, resolveBaseUrl } from '../http/base-url.js'
import { canonicalResource } from '../oauth/resource.js'
import type { UpstreamProvider } from '../provider.js'
import { protectedResourceMetadataPath } from '../server/metadata/protected-resource-metadata.js'
import type { OAuthStore } from '../store/oauth-store.js'
import { ANONYMOUS_USER } from '../user-context.js'
import { BearerRejectedError } from './bearer-rejected-error.js'
import { checkRequiredScopes, findAccessToken } from './check-token.js'
import { GuardRefusal } from './guard-refusal.js'
import { guardFailureAnswer, sendGuardAnswer } from './guard-responses.js'
import type { SessionUsers } from './session-users.js'
import { UserContexts } from './user-contexts.js'

/** The guard: an `onRequest` hook (`app.addHook('onRequest', app.mxcpGuard)`). */
export type MxcpGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export interface GuardOptions {
  readonly store: OAuthStore
  readonly provider: UpstreamProvider
  readonly clock: Clock
  readonly urls: ResolvedUrlOptions
  readonly mcpPath: string
  /** `auth.authorization.required_scopes`: a token must carry all of them. */
  readonly requiredScopes: readonly string[]
  readonly users: SessionUsers
  /**
   * `auth.authorization`: when given, a token's scopes count only while its user is still
   * granted them (`scope_grants` re-read with the user's current memberships).
   */
  readonly authorization?: AuthConfig['authorization'] | undefined
  /**
   * `reply` (the `mxcpGuard` hook): the guard answers a refused request itself. `throw` (the
   * `mxcpVerify` strategy for `@fastify/auth`): it throws a `BearerRejectedError` instead.
   */
  readonly onRefusal?: 'reply' | 'throw' | undefined
}

function sinceMs(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10
}

/** The guard for provider `none`: every request passes as the anonymous user. */
export function createAnonymousGuard(): MxcpGuard {
  return async (request) => {
    request.user = ANONYMOUS_USER
  }
}

/**
 * The bearer guard (RFC 6750, RFC 9728 §5.1): 401 with `WWW-Authenticate: Bearer
 * resource_metadata="…"` (plus `error="invalid_token"` when a token was sent) for a missing,
 * unknown, revoked, expired, wrong-audience or foreign token; 403 `insufficient_scope` when a
 * required scope is missing; otherwise `request.user` is set from the session's cached user
 * (see `SessionUsers`) and one info line names who called, never with a token.
 */
export function createGuard(options: GuardOptions): MxcpGuard {
  const { store, provider, clock, mcpPath, requiredScopes, users } = options
  const contexts = new UserContexts({ provider, authorization: options.authorization })
  return async (request, reply) => {
    const started = performance.now()
    let base: string
    try {
      base = resolveBaseUrl(request, options.urls)
    } catch (error) {
      if (!OAuthError.is(error) || options.onRefusal === 'throw') throw error
      await reply.code(400).send(error.toJSON())
      return
    }
    try {
      const token = await findAccessToken(request, store, clock, canonicalResource(base, mcpPath))
      checkRequiredScopes(token.scopes, requiredScopes)
      const caller = contexts.userFor(await users.get(token.sessionId), token)
      checkRequiredScopes(caller.context.scopes, requiredScopes)
      request.user = caller.context
      request.log.info({ user: caller.logged }, 'authenticated request')
      request.log.debug(
        { guard: 'allow', clientId: token.clientId, scopes: token.scopes, ms: sinceMs(started) },
        'guard: token accepted',
      )
    } catch (error) {
      if (error instanceof GuardRefusal) {
        request.log.debug(
          { guard: 'refuse', status: error.status, error: error.error, reason: error.description },
          'guard: request refused',
        )
      }
      const metadataUrl = `${base}${protectedResourceMetadataPath(mcpPath)}`
      const answer = guardFailureAnswer(error, request, {
        metadataUrl,
        requiredScopes,
        providerLabel: provider.label,
      })
      if (!answer) throw error
      if (options.onRefusal === 'throw') throw new BearerRejectedError(answer)
      await sendGuardAnswer(reply, answer)
    }
  }
}
