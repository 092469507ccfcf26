/** One stored cookie. Host-only: the `Domain` attribute is not honoured (tests talk to loopback hosts). */
interface StoredCookie {
  readonly name: string
  readonly value: string
  readonly host: string
  readonly path: string
  readonly secure: boolean
  /** Epoch ms; undefined for a session cookie. */
  readonly expiresAt: number | undefined
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * A minimal RFC 6265 cookie jar for the headless browser. Like a real browser, cookies are
 * scoped by host name, not port, so two loopback servers on different ports share a jar;
 * `Secure` cookies go to https or to a loopback host (browsers treat loopback as secure).
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Stores every `Set-Cookie` header of a response received from `url`. */
  store(url: URL, setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) this.#storeOne(url, header)
  }

  /** The `Cookie` header value to send to `url`, or undefined when no cookie matches. */
  headerFor(url: URL): string | undefined {
    const now = this.#now()
    const secureContext = url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname)
    const pairs: string[] = []
    for (const [key, cookie] of this.#cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
        this.#cookies.delete(key)
        continue
      }
      if (cookie.host !== url.hostname) continue
      if (cookie.secure && !secureContext) continue
      if (!pathMatches(url.pathname, cookie.path)) continue
      pairs.push(`${cookie.name}=${cookie.value}`)
    }
    return pairs.length > 0 ? pairs.join('; ') : undefined
  }

  /** The value of a cookie for `url`'s host, whatever its path. */
  get(url: URL, name: string): string | undefined {
    for (const cookie of this.#cookies.values()) {
      if (cookie.host === url.hostname && cookie.name === name) return cookie.value
    }
    return undefined
  }

  /** Names of every cookie held, for assertions. */
  names(): string[] {
    return [...this.#cookies.values()].map((cookie) => cookie.name)
  }

  clear(): void {
    this.#cookies.clear()
  }

  #storeOne(url: URL, header: string): void {
    const [pair = '', ...attributes] = header.split(';')
    const equals = pair.indexOf('=')
    if (equals <= 0) return
    const name = pair.slice(0, equals).trim()
    const value = pair.slice(equals + 1).trim()
    let path = defaultPath(url.pathname)
    let secure = false
    let expiresAt: number | undefined
    for (const attribute of attributes) {
      const [rawKey = '', ...rest] = attribute.split('=')
      const key = rawKey.trim().toLowerCase()
      const attributeValue = rest.join('=').trim()
      if (key === 'path' && attributeValue.startsWith('/')) path = attributeValue
      else if (key === 'secure') secure = true
      else if (key === 'max-age') expiresAt = this.#now() + Number(attributeValue) * 1000
      else if (key === 'expires' && expiresAt === undefined) {
        const date = Date.parse(attributeValue)
        if (Number.isFinite(date)) expiresAt = date
      }
    }
    const key = `${url.hostname}|${path}|${name}`
    if (expiresAt !== undefined && expiresAt <= this.#now()) {
      this.#cookies.delete(key)
      return
    }
    this.#cookies.set(key, { name, value, host: url.hostname, path, secure, expiresAt })
  }
}

/** RFC 6265 §5.1.4 default path: the request path up to its last `/`. */
function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/')
  return slash <= 0 ? '/' : pathname.slice(0, slash)
}

/** RFC 6265 §5.1.4 path match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}
