import type { FastifyReply } from 'fastify'

/**
 * Headers of every HTML page we render (consent, errors, hand-over): no scripts, no framing
 * (MCP SBP 2.1.5.2: "Prevent iframing via frame-ancestors … or X-Frame-Options: DENY"), forms
 * only to ourselves, no referrer, never cached.
 */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}

/** RFC 6749 §5.1: token responses (and everything else carrying a credential) are never cached. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
}

/** Sends an HTML page with `HTML_HEADERS`. */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(HTML_HEADERS).send(html)
}
