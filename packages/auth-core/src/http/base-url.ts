import type { FastifyRequest } from 'fastify'
import { InvalidRequestError } from '../errors/oauth-error.js'
import { fromTrustedProxy, lastHeaderValue, type TrustFunction, type TrustProxy } from './trusted-proxy.js'

/** How the server learns its own external URL (`transport.http` of the configuration). */
export interface UrlOptions {
  /** The complete external URL (`base_url`), e.g. `https://api.example.com`. Wins over everything. */
  readonly baseUrl?: string | undefined
  /** Scheme of the URLs we hand out (`scheme`), for a TLS-terminating proxy. */
  readonly scheme?: 'http' | 'https' | undefined
  /**
   * Which proxies are trusted (`trust_proxy`, see `TrustProxy`): only from them are
   * `X-Forwarded-Proto`/`X-Forwarded-Scheme`, `X-Forwarded-Host` and `X-Forwarded-For` read.
   */
  readonly trustProxy?: TrustProxy | undefined
  /**
   * Without `baseUrl`, the host names this server answers for besides the loopback names
   * (`transport.http.allowed_hosts`: its listen host, the names clients use). Any other `Host`
   * is refused, so the issuer is never what a request says it is (and DNS rebinding fails).
   * When non-empty, a host forwarded by a trusted proxy must be one of them too.
   */
  readonly allowedHosts?: readonly string[] | undefined
  /** The host the server listens on, answered as a `Host` (restricts nothing a proxy forwards). */
  readonly listenHost?: string | undefined
}

/** `UrlOptions` with the proxy trust compiled, as the plugin keeps them. */
export interface ResolvedUrlOptions {
  readonly baseUrl?: string | undefined
  readonly scheme?: 'http' | 'https' | undefined
  readonly trust?: TrustFunction | undefined
  /** Lower-case host names (with a port when the entry had one) answered besides loopback ones. */
  readonly allowedHosts?: ReadonlySet<string> | undefined
  /** True when the operator named allowed hosts: then a forwarded host must be one of them too. */
  readonly restrictForwardedHost?: boolean | undefined
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

function forwardedScheme(request: FastifyRequest): 'http' | 'https' | undefined {
  for (const header of ['x-forwarded-proto', 'x-forwarded-scheme']) {
    const value = lastHeaderValue(request.headers[header])?.toLowerCase()
    if (value === 'http' || value === 'https') return value
  }
  return undefined
}

function socketScheme(request: FastifyRequest): 'http' | 'https' {
  const socket = request.raw.socket as { encrypted?: unknown } | undefined
  return socket?.encrypted === true ? 'https' : 'http'
}

/** The host name of a `host[:port]`, lower-case, IPv6 in brackets. */
function hostName(host: string): string {
  const lower = host.toLowerCase()
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1)
  const colon = lower.lastIndexOf(':')
  return colon === -1 ? lower : lower.slice(0, colon)
}

/** True when `host` (from `Host` or a trusted `X-Forwarded-Host`) is one we answer for. */
export function isAllowedHost(host: string, allowed: ReadonlySet<string> | undefined): boolean {
  const name = hostName(host)
  if (isLoopbackHost(name)) return true
  return allowed !== undefined && (allowed.has(name) || allowed.has(host.toLowerCase()))
}

/** Compiles `UrlOptions` once (the plugin does this at registration). */
export function resolveUrlOptions(
  urls: UrlOptions,
  compile: (value: TrustProxy | undefined) => TrustFunction | undefined,
): ResolvedUrlOptions {
  return {
    baseUrl: urls.baseUrl,
    scheme: urls.scheme,
    trust: compile(urls.trustProxy),
    allowedHosts: new Set(
      [...(urls.allowedHosts ?? []), ...(urls.listenHost ? [urls.listenHost] : [])].map((host) =>
        host.toLowerCase(),
      ),
    ),
    restrictForwardedHost: (urls.allowedHosts ?? []).length > 0,
  }
}

/**
 * The external base URL of this request: `baseUrl` if configured; else `scheme` (or, from a
 * trusted proxy, `X-Forwarded-Proto`/`X-Forwarded-Scheme`, else the socket's) plus the host (from
 * a trusted proxy, `X-Forwarded-Host`, else `Host`). Forwarding headers are read only when the
 * nearest peer is a trusted proxy, and the value the proxy wrote (the last one). `Host` must be a
 * loopback name or an allowed host; a host forwarded by a trusted proxy must be an allowed host
 * when `allowedHosts` is set. Throws `invalid_request` (400) otherwise: no metadata, no issuer.
 */
export function resolveBaseUrl(request: FastifyRequest, urls: ResolvedUrlOptions): string {
  if (urls.baseUrl) return urls.baseUrl
  const proxied = fromTrustedProxy(request, urls.trust)
  const forwardedHost = proxied ? lastHeaderValue(request.headers['x-forwarded-host']) : undefined
  const forwarded = forwardedHost !== undefined && HOST.test(forwardedHost)
  const host = forwarded ? forwardedHost : request.headers.host
  if (!host || !HOST.test(host)) throw new InvalidRequestError('The request has no valid Host header')
  const vouched = forwarded && urls.restrictForwardedHost !== true
  if (!vouched && !isAllowedHost(host, urls.allowedHosts))
    throw new InvalidRequestError(
      `This server does not answer for the host ${host.slice(0, 100)}; set base_url or allowed_hosts`,
      `Host ${host} is not an allowed host`,
    )
  const scheme = urls.scheme ?? (proxied ? forwardedScheme(request) : undefined) ?? socketScheme(request)
  // The pattern admits hosts the URL parser refuses (an all-digit name beyond IPv4, a port above
  // 65535): those are a bad request too, not a 500.
  if (!URL.canParse(`${scheme}://${host}`))
    throw new InvalidRequestError('The request has no valid Host header')
  return new URL(`${scheme}://${host.toLowerCase()}`).origin
}
