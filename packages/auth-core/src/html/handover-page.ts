import type { FastifyReply } from 'fastify'
import { sendHtml } from '../http/security-headers.js'
import { escapeHtml } from './escape.js'
import { renderPage } from './page.js'

/**
 * Sends the browser on to `target` after a consent form was submitted. Not a 302 on purpose:
 * Chrome and Safari apply the consent page's CSP `form-action 'self'` to the redirects that
 * follow a form submission (w3c/webappsec-csp#8), which would block the way to the identity
 * provider and back to the client. A meta refresh is not subject to `form-action`; the link is
 * there for browsers that do not refresh.
 */
export function sendHandover(
  reply: FastifyReply,
  target: URL,
  title: string,
  linkText: string,
): FastifyReply {
  const href = escapeHtml(target.href)
  const head = `<meta http-equiv="refresh" content="0; url=${href}">\n`
  const body = `<h1>${escapeHtml(title)}</h1>
<p><a class="button primary" href="${href}">${escapeHtml(linkText)}</a></p>`
  return sendHtml(reply, 200, renderPage(title, body, head))
}
