import type { FastifyReply } from 'fastify'
import { sendHtml } from '../http/security-headers.js'
import { escapeHtml } from './escape.js'
import { renderPage } from './page.js'

/** What the page says: the kind of problem, the request id to quote, and a way back to the app. */
export interface SignInFailurePage {
  readonly status: number
  readonly title: string
  readonly message: string
  readonly requestId: string
  /** The client's redirect URI carrying the error (RFC 6749 §4.1.2.1), when it is trusted. */
  readonly backToClient?: URL | undefined
}

/**
 * The page a user sees when a sign-in fails for a reason only the server's operator can fix
 * (credentials at the provider, callback URL, scopes, the allowlist): the kind of problem and
 * the request id to quote, which finds the warn line in the server's log. No internal detail.
 */
export function sendSignInFailurePage(reply: FastifyReply, page: SignInFailurePage): FastifyReply {
  const back = page.backToClient
    ? `<p><a class="button" href="${escapeHtml(page.backToClient.href)}">Return to the application</a></p>`
    : '<p class="muted">You can close this window.</p>'
  const body = `<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
<p class="muted">If you report this, quote the request id <code>${escapeHtml(page.requestId)}</code>.</p>
${back}`
  return sendHtml(reply, page.status, renderPage(page.title, body))
}
