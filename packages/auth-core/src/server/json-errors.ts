import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError } from '../errors/oauth-error.js'
import { NO_STORE_HEADERS } from '../http/security-headers.js'
import { StoreUnavailableError } from '../store/oauth-store.js'

/** Sends an OAuth error as RFC 6749 §5.2 JSON, never cached. */
export function sendOAuthError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OAuthError,
): FastifyReply {
  request.log.info({ error: error.code, detail: error.detail }, 'OAuth request refused')
  reply.headers(NO_STORE_HEADERS)
  // RFC 6749 §5.2: a 401 invalid_client answers a Basic attempt with a Basic challenge; and since
  // every 401 must carry a challenge (RFC 9110 §15.5.2), it does so for client_secret_post too.
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="mxcp", charset="UTF-8"')
  return reply.code(error.status).send(error.toJSON())
}

/**
 * Error handler of the JSON endpoints (`/token`, `/register`, `/revoke`): our OAuth errors as
 * RFC 6749 §5.2 JSON; Fastify's own 4xx (bad content type, body too large, malformed JSON) as
 * `invalid_request` (or the route's `config.oauthErrorCode`); a store outage as 503; anything else
 * as a 500 `server_error` without details.
 */
export function jsonErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof OAuthError) return sendOAuthError(request, reply, error)
  reply.headers(NO_STORE_HEADERS)
  if (error instanceof StoreUnavailableError) {
    request.log.error({ err: error }, 'OAuth store unavailable')
    return reply.code(503).header('retry-after', '5').send({
      error: 'temporarily_unavailable',
      error_description: 'The authorization server cannot reach its storage; try again shortly',
    })
  }
  const status = error.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    const config = request.routeOptions.config as { oauthErrorCode?: string } | undefined
    return reply
      .code(status)
      .send({ error: config?.oauthErrorCode ?? 'invalid_request', error_description: error.message })
  }
  request.log.error({ err: error }, 'OAuth endpoint failed')
  return reply.code(500).send({
    error: 'server_error',
    error_description: 'The authorization server failed to handle the request',
  })
}
