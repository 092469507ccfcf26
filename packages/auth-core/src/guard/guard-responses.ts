import type { FastifyReply, FastifyRequest } from 'fastify'
import { isUpstreamError } from '../errors/upstream-error.js'
import { formatScope } from '../oauth/scopes.js'
import { StoreUnavailableError } from '../store/oauth-store.js'
import { bearerChallenge } from './challenge.js'
import { GuardRefusal } from './guard-refusal.js'
import { SessionEndedError } from './session-ended-error.js'

/** What a refusal needs to know about the request. */
export interface RefusalContext {
  /** Our protected resource metadata URL (RFC 9728 §5.1). */
  readonly metadataUrl: string
  readonly requiredScopes: readonly string[]
  /** The provider's name, for "could not be reached" messages. */
  readonly providerLabel: string
}

/** The guard's answer to a refused or failed request: status, headers and the JSON body. */
export interface GuardAnswer {
  readonly statusCode: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly body: { readonly error: string; readonly error_description: string }
}

/** 401/403 with the Bearer challenge; the JSON body repeats it for humans. */
function refusal(refused: GuardRefusal, context: RefusalContext): GuardAnswer {
  // MCP authorization §4.2: a 401 names the scopes to request when the server requires some.
  const required = context.requiredScopes.length > 0 ? formatScope(context.requiredScopes) : undefined
  const challenge = bearerChallenge(context.metadataUrl, {
    error: refused.error,
    description: refused.error ? refused.description : undefined,
    scope: refused.scope ?? required,
  })
  return {
    statusCode: refused.status,
    headers: { 'www-authenticate': challenge, 'cache-control': 'no-store' },
    body: { error: refused.error ?? 'unauthorized', error_description: refused.description },
  }
}

function unavailable(description: string): GuardAnswer {
  return {
    statusCode: 503,
    headers: { 'retry-after': '5', 'cache-control': 'no-store' },
    body: { error: 'temporarily_unavailable', error_description: description },
  }
}

/**
 * The answer to a failed guard check: a refusal or an ended session is 401/403 with the challenge;
 * a store or provider outage is 503 (the token may well be fine). Undefined for anything else,
 * which the caller rethrows. The error classes are matched by brand (`errors/brand.ts`), so a
 * store or provider built on another copy of auth-core is understood.
 */
export function guardFailureAnswer(
  error: unknown,
  request: FastifyRequest,
  context: RefusalContext,
): GuardAnswer | undefined {
  if (error instanceof GuardRefusal) return refusal(error, context)
  if (SessionEndedError.is(error)) {
    return refusal(new GuardRefusal(401, 'invalid_token', error.message), context)
  }
  if (StoreUnavailableError.is(error)) {
    request.log.error({ err: error }, 'OAuth store unavailable')
    return unavailable('The server cannot check the access token right now; try again shortly')
  }
  if (isUpstreamError(error)) {
    request.log.warn(
      { provider: error.provider, reason: error.message },
      'could not confirm the session with the provider',
    )
    return unavailable(
      `${context.providerLabel} could not be reached to confirm the sign-in; try again shortly`,
    )
  }
  return undefined
}

/** Sends `answer` (the `mxcpGuard` hook answers the request itself). */
export function sendGuardAnswer(reply: FastifyReply, answer: GuardAnswer): FastifyReply {
  return reply.code(answer.statusCode).headers(answer.headers).send(answer.body)
}
