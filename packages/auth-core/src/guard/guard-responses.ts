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

/** 401/403 with the Bearer challenge; the JSON body repeats it for humans. */
function refuse(reply: FastifyReply, refusal: GuardRefusal, context: RefusalContext): FastifyReply {
  // MCP authorization §4.2: a 401 names the scopes to request when the server requires some.
  const required = context.requiredScopes.length > 0 ? formatScope(context.requiredScopes) : undefined
  const challenge = bearerChallenge(context.metadataUrl, {
    error: refusal.error,
    description: refusal.error ? refusal.description : undefined,
    scope: refusal.scope ?? required,
  })
  return reply
    .code(refusal.status)
    .header('www-authenticate', challenge)
    .header('cache-control', 'no-store')
    .send({ error: refusal.error ?? 'unauthorized', error_description: refusal.description })
}

function unavailable(reply: FastifyReply, description: string): FastifyReply {
  return reply
    .code(503)
    .header('retry-after', '5')
    .header('cache-control', 'no-store')
    .send({ error: 'temporarily_unavailable', error_description: description })
}

/**
 * Answers a failed guard check: a refusal or an ended session is 401/403 with the challenge; a
 * store or provider outage is 503 (the token may well be fine). Returns undefined for anything
 * else, which the caller rethrows.
 */
export function respondToGuardFailure(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  context: RefusalContext,
): FastifyReply | undefined {
  if (error instanceof GuardRefusal) return refuse(reply, error, context)
  if (error instanceof SessionEndedError) {
    return refuse(reply, new GuardRefusal(401, 'invalid_token', error.message), context)
  }
  if (error instanceof StoreUnavailableError) {
    request.log.error({ err: error }, 'OAuth store unavailable')
    return unavailable(reply, 'The server cannot check the access token right now; try again shortly')
  }
  if (isUpstreamError(error)) {
    request.log.warn(
      { provider: error.provider, reason: error.message },
      'could not confirm the session with the provider',
    )
    return unavailable(
      reply,
      `${context.providerLabel} could not be reached to confirm the sign-in; try again shortly`,
    )
  }
  return undefined
}
