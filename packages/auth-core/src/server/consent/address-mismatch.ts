import type { FastifyRequest } from 'fastify'
import { cookieName } from '../../http/cookies.js'

const SETTINGS = 'Check transport.http.base_url, transport.http.scheme and transport.http.trust_proxy.'

/**
 * Why a consent cookie may be missing although the browser has one: the server believes its
 * address is `issuer`, but the browser talks to another scheme or host (a TLS-terminating proxy
 * that does not say so, a `base_url` with the wrong host). The browser's own `Origin` on the form
 * post, or a cookie under the other scheme's name, shows it. Undefined when nothing points there.
 * The message names only what the browser already knows and the settings to check.
 */
export function addressMismatch(request: FastifyRequest, issuer: string): string | undefined {
  const origin = request.headers.origin
  const expected = new URL(issuer)
  if (typeof origin === 'string' && URL.canParse(origin)) {
    const seen = new URL(origin)
    if (seen.protocol !== expected.protocol) {
      return `This page was opened over ${seen.protocol.slice(0, -1)}, but the server believes its address starts with ${expected.protocol.slice(0, -1)}:// (a proxy in front of it may not pass on the scheme). ${SETTINGS}`
    }
    if (seen.host !== expected.host) {
      return `This page was opened at ${seen.host}, but the server believes its address is ${expected.host}. ${SETTINGS}`
    }
  }
  const otherScheme = issuer.startsWith('https:')
    ? issuer.replace(/^https:/, 'http:')
    : issuer.replace(/^http:/, 'https:')
  if (request.cookies?.[cookieName('consent', otherScheme)] !== undefined) {
    return `The consent cookie was set for ${otherScheme.startsWith('https:') ? 'https' : 'http'}, but this request is seen as ${expected.protocol.slice(0, -1)} (a proxy in front of the server may not pass on the scheme). ${SETTINGS}`
  }
  return undefined
}
