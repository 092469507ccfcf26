import type { FastifyReply } from 'fastify'
import { sendHtml } from '../http/security-headers.js'
import { escapeHtml } from './escape.js'
import { renderPage } from './page.js'

/**
 * An error page for a browser, used whenever a redirect back to the client would be unsafe
 * (RFC 6749 §4.1.2.1: before the client and its redirect URI are trusted) or pointless.
 */
export function sendErrorPage(
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
): FastifyReply {
  const body = `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p class="muted">You can close this window and start again from your application.</p>`
  return sendHtml(reply, status, renderPage(title, body))
}
