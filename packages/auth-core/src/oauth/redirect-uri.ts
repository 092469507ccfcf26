import { MAX_URI_LENGTH } from '../defaults.js'
import { isLoopbackHost } from '../http/base-url.js'
import { hasDotSegment, loopbackMatchKey, loopbackRedirectProblem } from './loopback-redirect.js'

/**
 * Why a redirect URI cannot be registered, or undefined when it can. MCP authorization §11.5
 * and OAuth 2.1 §2.3.1: https, or http on a loopback host (127.0.0.1, [::1], localhost); an
 * absolute URI without a fragment (RFC 6749 §3.1.2), without credentials and without wildcards.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_URI_LENGTH) return `is longer than ${MAX_URI_LENGTH} characters`
  if (uri.includes('*')) return 'must not contain wildcards'
  if (uri.includes('#')) return 'must not contain a fragment'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'is not an absolute URI'
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname))
      return 'must use https (plain http is allowed only on 127.0.0.1, [::1] or localhost)'
  } else if (url.protocol !== 'https:') {
    return 'must use https (or http on a loopback host)'
  }
  if (url.username || url.password) return 'must not contain credentials'
  if (hasDotSegment(uri.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')))
    return 'must not contain dot segments (. or ..)'
  return loopbackRedirectProblem(uri)
}

/**
 * True when `requested` is one of the client's registered redirect URIs: an exact string match
 * (MCP SBP 2.1.5.2), except that a loopback URI matches on any port with the same host spelling,
 * path and query, compared as written (RFC 8252 §7.3: native apps get an ephemeral port).
 */
export function redirectUriMatches(requested: string, registered: readonly string[]): boolean {
  if (requested.includes('#')) return false
  // A loopback URI spelled in a way a parser rewrites never matches, not even itself.
  if (loopbackRedirectProblem(requested) !== undefined) return false
  if (registered.includes(requested)) return true
  const key = loopbackMatchKey(requested)
  return key !== undefined && registered.some((uri) => loopbackMatchKey(uri) === key)
}
