import type { IncomingMessage } from 'node:http'
import type { RequestInfo } from '@modelcontextprotocol/sdk/types.js'

/** Raised when a request's `Host` and path make no URL; the caller answers 400, as the SDK's adapter did. */
export class InvalidRequestUrl extends Error {}

/** A host name, optionally a port, that URL parsing would leave as it is. */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/
/** A path (and query) made of characters a URL keeps as they are, with no dot segment. */
const PLAIN_PATH = /^\/[!#$&-;=?-[\]_a-z~]*$/
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/

/** The absolute URL of a request, as a fetch `Request` would carry it. */
function urlOf(raw: IncomingMessage): string {
  const host = raw.headers.host
  if (!host) throw new InvalidRequestUrl('Missing host header')
  const scheme = 'encrypted' in raw.socket && raw.socket.encrypted === true ? 'https' : 'http'
  const path = raw.url || '/'
  const url = `${scheme}://${host}${path}`
  if (PLAIN_HOST.test(host) && PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return url
  const backslash = path.indexOf('\\')
  const query = path.indexOf('?')
  if (backslash !== -1 && (query === -1 || backslash < query))
    throw new InvalidRequestUrl('Backslash in request path')
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (error) {
    throw new InvalidRequestUrl('Invalid URL', { cause: error })
  }
  // A `Host` the URL parser rewrote into another host name (not only lower-cased) is refused.
  const hostName = host.includes(':') ? host.replace(/:\d+$/, '') : host
  if (parsed.hostname.length !== host.length && parsed.hostname !== hostName.toLowerCase()) {
    throw new InvalidRequestUrl('Invalid host header')
  }
  return parsed.href
}

/**
 * Every header field with each of its values, as Node's `headersDistinct` holds them. A request
 * made in process (`app.inject`, light-my-request) has no `headersDistinct`: its `headers`, one
 * string or a list per name, say the same.
 */
export function distinctHeaders(raw: IncomingMessage): NodeJS.Dict<string[]> {
  if (raw.headersDistinct !== undefined) return raw.headersDistinct
  const distinct: NodeJS.Dict<string[]> = {}
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value !== undefined) distinct[name] = Array.isArray(value) ? value : [value]
  }
  return distinct
}

/**
 * The request headers as `Headers.get` and `entries` show them: names lower-case, repeated
 * fields joined with ", " (Node's own `headers` keeps only the first of some, `content-type`
 * among them; a fetch `Headers` joins them all, and the transport's checks must see that).
 */
class IncomingHeaders {
  readonly #distinct: NodeJS.Dict<string[]>

  constructor(raw: IncomingMessage) {
    this.#distinct = distinctHeaders(raw)
  }

  get(name: string): string | null {
    return this.#distinct[name.toLowerCase()]?.join(', ') ?? null
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#distinct).sort()) {
      const values = this.#distinct[name] ?? []
      // Like `Headers`, each `set-cookie` on its own, every other field joined.
      if (name === 'set-cookie') for (const value of values) yield [name, value]
      else if (values.length > 0) yield [name, values.join(', ')]
    }
  }
}

/**
 * What the SDK's transport tells request handlers of the HTTP request (`extra.requestInfo`),
 * built as it builds it. Throws {@link InvalidRequestUrl} as {@link webRequestOf} does.
 */
export function requestInfoOf(raw: IncomingMessage): RequestInfo {
  const url = urlOf(raw)
  // Built when a handler reads them (ours do not): a request that never looks pays nothing.
  let headers: RequestInfo['headers'] | undefined
  let parsedUrl: URL | undefined
  return {
    get headers() {
      headers ??= Object.fromEntries(new IncomingHeaders(raw).entries())
      return headers
    },
    get url() {
      parsedUrl ??= new URL(url)
      return parsedUrl
    },
  }
}

/**
 * A fetch `Request` view of a Node request, for the SDK's web-standard MCP transport, without
 * building a real one (URL parsing, header validation, a body stream: a good share of what a
 * request cost when the SDK's Node adapter converted every request both ways).
 *
 * The transport reads `method`, `url`, `headers.get` and `headers.entries` only; it reads the
 * body only when no parsed body is given, and Fastify has parsed and consumed it already, so
 * `body` is empty, as the drained stream would be.
 */
export function webRequestOf(raw: IncomingMessage): Request {
  const view = { method: raw.method ?? 'GET', url: urlOf(raw), headers: new IncomingHeaders(raw), body: null }
  // A structural stand-in for the members above: the transport touches nothing else.
  return view as unknown as Request
}
