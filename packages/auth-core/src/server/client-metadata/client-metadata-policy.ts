import type { AuthConfig } from '../../config/index.js'
import { InvalidClientError } from '../../errors/oauth-error.js'
import { ipLiteral, isPublicAddress } from './address-ranges.js'

/** `auth.client_metadata` with every default filled in. */
export type ClientMetadataConfig = AuthConfig['client_metadata']

/** The operator's rules for metadata-document clients, checked once at registration. */
export interface ClientMetadataPolicy {
  readonly enabled: boolean
  /** Lower-cased host patterns: `app.example.com`, or `*.example.com` for any subdomain. Empty: any host. */
  readonly allowedHosts: readonly string[]
  /** Hosts of `allowedHosts` may resolve to loopback, private or link-local addresses. */
  readonly allowPrivateHosts: boolean
  readonly allowedPorts: readonly number[]
  readonly maxBytes: number
  readonly timeoutMs: number
  readonly cacheMinMs: number
  readonly cacheMaxMs: number
}

const HOST_PATTERN = /^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/
const IPV6_PATTERN = /^\[[0-9a-f:.]+\]$/

function hostPattern(raw: string, index: number): string {
  const pattern = raw.trim().toLowerCase()
  if (!HOST_PATTERN.test(pattern) && !IPV6_PATTERN.test(pattern)) {
    throw new Error(
      `mxcpAuth: auth.client_metadata.allowed_hosts[${index}] "${raw}" must be a host name (app.example.com), *.example.com, an IPv4 address or a bracketed IPv6 address`,
    )
  }
  return pattern
}

/**
 * Checks `auth.client_metadata` and turns it into a policy. Refuses (rather than warns about) the
 * one dangerous combination: `allow_private_hosts` without `allowed_hosts` would let any client
 * make this server fetch from its own network (MCP authorization 2025-11-25 §11.6.1).
 */
export function clientMetadataPolicy(config: ClientMetadataConfig): ClientMetadataPolicy {
  const allowedHosts = config.allowed_hosts.map(hostPattern)
  if (config.allow_private_hosts && allowedHosts.length === 0) {
    throw new Error(
      'mxcpAuth: auth.client_metadata.allow_private_hosts needs auth.client_metadata.allowed_hosts: list the hosts that may be private',
    )
  }
  if (config.cache_min_seconds > config.cache_max_seconds) {
    throw new Error('mxcpAuth: auth.client_metadata.cache_min_seconds is larger than cache_max_seconds')
  }
  return {
    enabled: config.enabled,
    allowedHosts,
    allowPrivateHosts: config.allow_private_hosts,
    allowedPorts: [...new Set(config.allowed_ports)],
    maxBytes: config.max_bytes,
    timeoutMs: config.timeout_ms,
    cacheMinMs: config.cache_min_seconds * 1000,
    cacheMaxMs: config.cache_max_seconds * 1000,
  }
}

/** True when `hostname` (as `URL.hostname` spells it) matches one of the patterns. */
export function hostMatches(hostname: string, patterns: readonly string[]): boolean {
  const host = hostname.toLowerCase()
  return patterns.some((pattern) =>
    pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern,
  )
}

/** The port a URL connects to (`URL.port` is empty for the scheme's default). */
function portOf(url: URL): number {
  return url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port)
}

/**
 * What may be fetched, before any connection: the host allowlist (when set), an allowed port,
 * and an IP-literal host must be public unless private hosts are allowed. Host names are checked
 * again when they resolve (see `guardedLookup`), which catches names that point inside.
 * Throws `invalid_client` with the reason.
 */
export function checkFetchTarget(url: URL, policy: ClientMetadataPolicy, what: string): void {
  if (policy.allowedHosts.length > 0 && !hostMatches(url.hostname, policy.allowedHosts)) {
    throw new InvalidClientError(
      `${what} is on ${url.hostname}, which this server does not accept clients from`,
    )
  }
  const port = portOf(url)
  if (!policy.allowedPorts.includes(port)) {
    throw new InvalidClientError(`${what} uses port ${port}, which this server does not fetch from`)
  }
  const literal = ipLiteral(url.hostname)
  if (literal !== undefined && !policy.allowPrivateHosts && !isPublicAddress(literal)) {
    throw new InvalidClientError(
      `${what} points to a non-public address, which this server does not fetch from`,
    )
  }
}
