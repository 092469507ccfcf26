import type { TransportConfig } from '@mxcp/auth-core'
import { normalizeBaseUrl } from '@mxcp/auth-core/server-kit'

/** Listen addresses that mean "every interface", not a host name anyone uses. */
export const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]', ''])

/** A host as it goes into a URL: IPv6 in brackets, a wildcard address as `localhost`. */
export function urlHost(host: string): string {
  if (WILDCARD_HOSTS.has(host)) return 'localhost'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/**
 * The server's external base URL, without a trailing slash: `transport.http.base_url` when set
 * (the guide's option 3, spelled as the authorization server spells it), else
 * `scheme://host:port` from the transport settings (`scheme` defaults to http; behind a TLS
 * proxy set it to https, the guide's option 1).
 */
export function externalBaseUrl(http: TransportConfig['http'], port: number): string {
  if (http.base_url) return normalizeBaseUrl(http.base_url)
  return `${http.scheme ?? 'http'}://${urlHost(http.host)}:${port}`
}

/** Origins a browser page of this very server sends: the external one and the listening one. */
export function ownOrigins(http: TransportConfig['http'], port: number): Set<string> {
  return new Set([
    new URL(externalBaseUrl(http, port)).origin,
    new URL(`http://${urlHost(http.host)}:${port}`).origin,
  ])
}
