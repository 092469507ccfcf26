import type { FastifyReply } from 'fastify'
import { sendHtml } from '../http/security-headers.js'
import { escapeHtml } from './escape.js'
import { renderPage } from './page.js'

/** Seconds the refusal stays on screen before the browser returns to the application. */
export const REFUSAL_READ_SECONDS = 8

/**
 * A signed-in user who may not have a token: the page says why (in words the user can act on)
 * and then returns the browser to the application with `error=access_denied`, so an MCP client
 * waiting on its loopback listener is told too instead of waiting forever.
 */
export function sendRefusalHandover(reply: FastifyReply, target: URL, reason: string): FastifyReply {
  const href = escapeHtml(target.href)
  const head = `<meta http-equiv="refresh" content="${REFUSAL_READ_SECONDS}; url=${href}">\n`
  const body = `<h1>Access denied</h1>
<p>${escapeHtml(reason)}</p>
<p>Ask the server's operator for access if you need it.</p>
<p><a class="button primary" href="${href}">Return to the application</a></p>`
  return sendHtml(reply, 200, renderPage('Access denied', body, head))
}
