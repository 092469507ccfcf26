import type { FastifyReply } from 'fastify'
import { sendHtml } from '../http/security-headers.js'
import { escapeHtml } from './escape.js'
import { renderPage } from './page.js'
import { REFUSAL_READ_SECONDS } from './refusal-page.js'

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
 * With a trusted way back, the browser returns to the application by itself after a few seconds,
 * so an MCP client waiting on its loopback listener hears the error too instead of waiting forever.
 */
export function sendSignInFailurePage(reply: FastifyReply, page: SignInFailurePage): FastifyReply {
  const href = page.backToClient ? escapeHtml(page.backToClient.href) : undefined
  const back = href
    ? `<p><a class="button" href="${href}">Return to the application</a></p>`
    : '<p class="muted">You can close this window.</p>'
  const head = href ? `<meta http-equiv="refresh" content="${REFUSAL_READ_SECONDS}; url=${href}">\n` : ''
  const body = `<h1>${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.message)}</p>
<p class="muted">If you report this, quote the request id <code>${escapeHtml(page.requestId)}</code>.</p>
${back}`
  return sendHtml(reply, page.status, renderPage(page.title, body, head))
}
