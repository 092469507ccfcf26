import type { IncomingHttpHeaders } from 'node:http'

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/**
 * How long a response may be used without asking again, in milliseconds, from its caching headers
 * (RFC 9111 §4.2.1): `no-store`/`no-cache` → 0; else `max-age` (minus `Age`); else `Expires` −
 * `Date`; else nothing said → 0 (no heuristic freshness: a client's document is cheap to fetch).
 * The result is clamped to `[minMs, maxMs]`: the operator's floor protects the client's host
 * (and us) from a fetch per request, the ceiling bounds how long a withdrawn document is trusted.
 */
export function freshnessMs(headers: IncomingHttpHeaders, minMs: number, maxMs: number): number {
  const clamp = (ms: number): number => Math.min(maxMs, Math.max(minMs, ms))
  const directives = (headerValue(headers, 'cache-control') ?? '')
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim())
  if (directives.some((directive) => /^(no-store|no-cache)\b/.test(directive))) return clamp(0)
  const maxAge = directives.map((directive) => /^max-age="?(\d+)"?$/.exec(directive)?.[1]).find(Boolean)
  if (maxAge !== undefined) {
    const age = Number(headerValue(headers, 'age') ?? 0)
    return clamp((Number(maxAge) - (Number.isFinite(age) ? age : 0)) * 1000)
  }
  const expires = Date.parse(headerValue(headers, 'expires') ?? '')
  const date = Date.parse(headerValue(headers, 'date') ?? '')
  if (Number.isFinite(expires) && Number.isFinite(date)) return clamp(expires - date)
  return clamp(0)
}
