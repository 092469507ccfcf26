import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { OAuthError } from '../errors/oauth-error.js'
import { sendErrorPage } from '../html/error-page.js'
import { StoreUnavailableError } from '../store/oauth-store.js'

/**
 * Error handler of the browser-facing routes (`/authorize`, `/consent`, the callback): every
 * failure becomes an HTML page, never a redirect and never a stack trace. A store outage is 503.
 */
export function htmlErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof StoreUnavailableError) {
    request.log.error({ err: error }, 'OAuth store unavailable')
    reply.header('retry-after', '5')
    return sendErrorPage(
      reply,
      503,
      'Service unavailable',
      'The sign-in service cannot reach its storage right now. Try again in a moment.',
    )
  }
  if (error instanceof OAuthError) {
    request.log.info({ error: error.code, detail: error.detail }, 'authorization request refused')
    // Rate limited (see `limitRequestRate`): keep the 429 and its Retry-After.
    if (error.status === 429) return sendErrorPage(reply, 429, 'Too many requests', error.description)
    return sendErrorPage(reply, error.status >= 500 ? error.status : 400, 'Sign-in failed', error.description)
  }
  const status = error.statusCode
  if (status !== undefined && status >= 400 && status < 500) {
    return sendErrorPage(reply, status, 'Bad request', error.message)
  }
  request.log.error({ err: error }, 'authorization endpoint failed')
  return sendErrorPage(
    reply,
    500,
    'Something went wrong',
    'The sign-in could not be completed. Try again from your application.',
  )
}
