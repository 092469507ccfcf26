import type { FastifyRequest } from 'fastify'
import { InvalidRequestError } from '../errors/oauth-error.js'

/** How the server learns its own external URL (`transport.http` of the configuration). */
export interface UrlOptions {
  /** The complete external URL (`base_url`), e.g. `https://api.example.com`. Wins over everything. */
  readonly baseUrl?: string | undefined
  /** Scheme of the URLs we hand out (`scheme`), for a TLS-terminating proxy. */
  readonly scheme?: 'http' | 'https' | undefined
  /** Trust `X-Forwarded-Proto`/`X-Forwarded-Scheme` and `X-Forwarded-Host` (`trust_proxy`). */
  readonly trustProxy?: boolean | undefined
}

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** True for the loopback host names RFC 8252 §7.3 and the MCP spec allow plain http on. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase())
}

/**
 * Checks a configured `base_url` and returns it in its one stable spelling: origin only, no
 * trailing slash (RFC 8414 §3.3 needs the issuer byte-identical everywhere). Refuses a path,
 * query, fragment or credentials, and plain http anywhere but loopback (OAuth 2.1 §1.5).
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new Error(`urls.baseUrl "${raw}" is not an absolute URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`urls.baseUrl must be http(s), got "${url.protocol}"`)
  if (url.username || url.password) throw new Error('urls.baseUrl must not carry credentials')
  if (url.search || url.hash) throw new Error('urls.baseUrl must not have a query or a fragment')
  if (url.pathname !== '/')
    throw new Error(`urls.baseUrl must be an origin without a path (got path "${url.pathname}")`)
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error(
      `urls.baseUrl must use https unless the host is loopback (got ${url.origin}); OAuth 2.1 §1.5`,
    )
  }
  return url.origin
}

/** The first value of a possibly comma-separated forwarding header. */
function firstHeaderValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  const first = raw?.split(',')[0]?.trim()
  return first ? first : undefined
}

function forwardedScheme(request: FastifyRequest): 'http' | 'https' | undefined {
  for (const header of ['x-forwarded-proto', 'x-forwarded-scheme']) {
    const value = firstHeaderValue(request.headers[header])?.toLowerCase()
    if (value === 'http' || value === 'https') return value
  }
  return undefined
}

function socketScheme(request: FastifyRequest): 'http' | 'https' {
  const socket = request.raw.socket as { encrypted?: unknown } | undefined
  return socket?.encrypted === true ? 'https' : 'http'
}

/**
 * The external base URL of this request: `baseUrl` if configured; else `scheme` (or, with
 * `trustProxy`, `X-Forwarded-Proto`/`X-Forwarded-Scheme`, else the socket's) plus the host (with
 * `trustProxy`, `X-Forwarded-Host`, else `Host`). Forwarding headers are ignored without
 * `trustProxy`. Throws `invalid_request` when no valid host is known.
 */
export function resolveBaseUrl(request: FastifyRequest, urls: UrlOptions): string {
  if (urls.baseUrl) return urls.baseUrl
  const forwardedHost = urls.trustProxy ? firstHeaderValue(request.headers['x-forwarded-host']) : undefined
  const host = forwardedHost && HOST.test(forwardedHost) ? forwardedHost : request.headers.host
  if (!host || !HOST.test(host)) throw new InvalidRequestError('The request has no valid Host header')
  const scheme =
    urls.scheme ?? (urls.trustProxy ? forwardedScheme(request) : undefined) ?? socketScheme(request)
  // The pattern admits hosts the URL parser refuses (an all-digit name beyond IPv4, a port above
  // 65535): those are a bad request too, not a 500.
  if (!URL.canParse(`${scheme}://${host}`))
    throw new InvalidRequestError('The request has no valid Host header')
  return new URL(`${scheme}://${host.toLowerCase()}`).origin
}
