import type { FastifyRequest } from 'fastify'
import proxyAddr from 'proxy-addr'

/**
 * Which reverse proxies are trusted (`transport.http.trust_proxy`), as Fastify's `trustProxy`:
 * `true` is ONE hop (the nearest peer is the proxy; unlike Fastify's `true`, which trusts every
 * hop and so the client-written left end of `X-Forwarded-For`), a number is that many hops, and a
 * string or list names proxy addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `loopback`).
 */
export type TrustProxy = boolean | number | string | readonly string[]

/** Decides, hop by hop from the socket outwards, whether an address is a trusted proxy. */
export type TrustFunction = (address: string, hop: number) => boolean

/** `"true"`, `"false"` and `"2"` (from an environment variable) as the boolean or number they spell. */
function normalize(value: TrustProxy | undefined): TrustProxy | undefined {
  if (typeof value !== 'string') return value
  const trimmed = value.trim().toLowerCase()
  if (trimmed === 'true') return true
  if (trimmed === 'false' || trimmed === '') return false
  return /^\d+$/.test(trimmed) ? Number(trimmed) : value
}

/** Compiles `trust_proxy` once; undefined when no proxy is trusted. Throws on a malformed address. */
export function compileTrust(raw: TrustProxy | undefined): TrustFunction | undefined {
  const value = normalize(raw)
  if (value === undefined || value === false || value === 0) return undefined
  if (value === true) return (_address, hop) => hop < 1
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`trust_proxy ${value} must be a whole number of hops`)
    return (_address, hop) => hop < value
  }
  const list = (typeof value === 'string' ? value.split(',') : [...value]).map((entry) => entry.trim())
  return proxyAddr.compile(list.filter((entry) => entry !== ''))
}

/** The Fastify `trustProxy` setting with the same meaning (`true` becomes one hop). */
export function fastifyTrustProxy(raw: TrustProxy | undefined): boolean | string | string[] | TrustFunction {
  const value = normalize(raw)
  if (value === undefined || value === false) return false
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || typeof value === 'number') return compileTrust(value) ?? false
  return [...value]
}

/** The address of the peer that opened the TCP connection. */
export function peerAddress(request: FastifyRequest): string {
  return request.raw.socket?.remoteAddress ?? ''
}

/** True when the nearest peer is a trusted proxy, so its forwarding headers may be read. */
export function fromTrustedProxy(request: FastifyRequest, trust: TrustFunction | undefined): boolean {
  return trust?.(peerAddress(request), 0) === true
}

/**
 * The client's address as the trusted proxies saw it: walking `X-Forwarded-For` from the right
 * while each hop is trusted, never its client-controlled left end. Without trust: the peer.
 * This is the key of the rate limits.
 */
export function clientAddress(request: FastifyRequest, trust: TrustFunction | undefined): string {
  return trust ? proxyAddr(request.raw, trust) : peerAddress(request)
}

/**
 * The key a client address is counted under: an IPv4 address as it is, an IPv6 address by its
 * /64 prefix (one subscriber's network: RFC 6177 §3 hands out at least a /64, so rotating the
 * interface identifier must not buy a fresh budget).
 */
export function rateLimitKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
  if (!plain.includes(':')) return plain
  const [head = '', tail = ''] = plain.toLowerCase().split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = plain.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || '0', 16).toString(16))
    .join(':')}::/64`
}

/** The value the nearest proxy wrote in a forwarding header: the last of a comma-separated list. */
export function lastHeaderValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[value.length - 1] : value
  const last = raw?.split(',').at(-1)?.trim()
  return last ? last : undefined
}
