import type { FastifyReply } from 'fastify'
import type { OAuthError } from '../../errors/oauth-error.js'
import { sendErrorPage } from '../../html/error-page.js'
import { sendHandover } from '../../html/handover-page.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'

/** How to send the browser back to the client: a 302, or a hand-over page after a form post. */
export type RedirectStyle = 'redirect' | 'handover'

/** Sends an authorization error to the client's trusted redirect URI (RFC 6749 §4.1.2.1, RFC 9207). */
export function redirectError(
  reply: FastifyReply,
  style: RedirectStyle,
  target: { readonly redirectUri: string; readonly state: string | undefined },
  error: OAuthError,
  issuer: string,
): FastifyReply {
  reply.log.warn(
    {
      step: error.code === 'invalid_scope' ? 'scope grant' : 'authorize',
      error: error.code,
      detail: error.detail,
    },
    'authorization request refused',
  )
  const url = clientRedirectUrl(
    target.redirectUri,
    { error: error.code, error_description: error.description, state: target.state },
    issuer,
  )
  return style === 'redirect'
    ? reply.redirect(url.href, 302)
    : sendHandover(reply, url, 'Returning to the application', 'Continue')
}

/** The page shown when the client or its redirect URI cannot be trusted: never a redirect. */
export function untrustedPage(reply: FastifyReply, status: number, message: string): FastifyReply {
  // The page's message ends with the RFC 6749 error code: a scope refusal is the scope grant step.
  const step = message.endsWith('(invalid_scope)') ? 'scope grant' : 'authorize'
  reply.log.warn({ step, reason: message }, 'authorization request from an untrusted client refused')
  return sendErrorPage(reply, status, 'Invalid authorization request', message)
}
