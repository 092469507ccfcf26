import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, sendJson } from './loopback-server.js'

export type { LoopbackServer } from './loopback-server.js'
export { readBody, sendJson, startLoopbackServer } from './loopback-server.js'

/**
 * What a stand-in can be told to do instead of answering properly. `status` answers that status
 * with an HTML error page (a 5xx from a load balancer); `malformed` answers 200 with HTML where
 * JSON belongs; `oauth-error` answers an RFC 6749 §5.2 error body (status 400 unless told, 200 for
 * providers that do that); `slow` waits `delayMs` and then answers properly; `drop` closes the
 * connection without an answer.
 */
export type StandInFailure =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'malformed' }
  | {
      readonly kind: 'oauth-error'
      readonly error: string
      readonly description?: string
      readonly status?: number
    }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'drop' }

/** Per-endpoint failure switches. A failure set with `times` is used up after that many requests. */
export class FailureSwitch<Endpoint extends string> {
  readonly #armed = new Map<Endpoint, { failure: StandInFailure; left: number }>()

  /** Makes the next `times` requests to `endpoint` fail (default: every request until cleared). */
  set(endpoint: Endpoint, failure: StandInFailure, times = Number.POSITIVE_INFINITY): void {
    this.#armed.set(endpoint, { failure, left: times })
  }

  /** Stops failing `endpoint`, or every endpoint. */
  clear(endpoint?: Endpoint): void {
    if (endpoint === undefined) this.#armed.clear()
    else this.#armed.delete(endpoint)
  }

  /** The failure to apply to this request to `endpoint`, if one is armed; counts it down. */
  take(endpoint: Endpoint): StandInFailure | undefined {
    const armed = this.#armed.get(endpoint)
    if (!armed) return undefined
    armed.left -= 1
    if (armed.left <= 0) this.#armed.delete(endpoint)
    return armed.failure
  }
}

/** One request a stand-in received, for tests to assert on (PKCE, client authentication, headers). */
export interface RecordedRequest {
  /** The stand-in's name for the endpoint (`token`, `userinfo`, …), or `unknown`. */
  readonly endpoint: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
  /** The form body, for `application/x-www-form-urlencoded` requests. */
  form: Readonly<Record<string, string>> | undefined
}

/**
 * The request record and the switches a standard stand-in exposes to tests. A stand-in builds its
 * public object on one (`Object.assign(controls, { url, … })`), so that the switches tests flip
 * are the ones its handlers read.
 */
export class StandInControls<Endpoint extends string> {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = []
  readonly failures = new FailureSwitch<Endpoint>()
  /** The user cancels at the provider's login or consent screen: `error=access_denied`. */
  denyConsent = false
  /** Each refresh returns a new refresh token and the old one dies. */
  rotateRefreshTokens = false

  /** Requests received by one endpoint. */
  requestsTo(endpoint: Endpoint): RecordedRequest[] {
    return this.requests.filter((request) => request.endpoint === endpoint)
  }
}

/** What every standard stand-in offers a test, besides its provider's own details. */
export interface StandardStandIn<Endpoint extends string, User> extends StandInControls<Endpoint> {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** The issuer of its discovery document and ID tokens. */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** The user who signs in. */
  readonly user: User
  /** Ends every grant at once: every token dies. */
  revokeAll(): void
  close(): Promise<void>
}

/** Builds a record from a request; the form body is filled in by whoever reads the body. */
export function recordRequest(endpoint: string, req: IncomingMessage, url: URL): RecordedRequest {
  return {
    endpoint,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    form: undefined,
  }
}

/** Writes an HTML answer. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  res.end(`<!doctype html><html><body>${html}</body></html>`)
}

/** Writes a 302 to `location`. */
export function redirect(res: ServerResponse, location: URL | string): void {
  res.writeHead(302, { location: String(location) })
  res.end()
}

/**
 * Applies a failure, if any. Returns true when the request has been answered (or dropped) and
 * the stand-in must not answer it; `slow` returns false after the wait, so the answer is proper.
 */
export async function applyFailure(
  failure: StandInFailure | undefined,
  res: ServerResponse,
  loopback: LoopbackServer,
): Promise<boolean> {
  if (!failure) return false
  switch (failure.kind) {
    case 'status':
      sendHtml(
        res,
        failure.status,
        `<h1>${failure.status}</h1><p>The server encountered a temporary error.</p>`,
      )
      return true
    case 'malformed':
      sendHtml(res, 200, '<h1>Sign in</h1><p>This is not the JSON you were looking for.</p>')
      return true
    case 'oauth-error':
      sendJson(res, failure.status ?? 400, {
        error: failure.error,
        ...(failure.description ? { error_description: failure.description } : {}),
      })
      return true
    case 'slow':
      await loopback.delay(failure.delayMs)
      return false
    case 'drop':
      res.socket?.destroy()
      return true
  }
}

/** A cookie a stand-in set, as a user agent keeps it (RFC 6265 §5.3, path scoping only). */
interface StoredCookie {
  readonly name: string
  readonly value: string
  readonly path: string
}

/**
 * Plays the user at an upstream identity provider: starting from its authorization URL, follows
 * redirects (keeping cookies, as a browser does) while they stay on the provider's origin, and
 * returns the first URL that leaves it: our callback with `code` or `error`. Login and consent are
 * whatever the stand-in decides (its test user, its `denyConsent` switch). Throws if the provider
 * stops on a page instead of redirecting back.
 */
export async function followToCallback(authorizationUrl: URL | string, maxHops = 12): Promise<URL> {
  let url = new URL(authorizationUrl)
  const origin = url.origin
  const jar = new Map<string, StoredCookie>()
  for (let hop = 0; hop < maxHops; hop += 1) {
    const cookie = [...jar.values()]
      .filter((stored) => url.pathname.startsWith(stored.path))
      .map((stored) => `${stored.name}=${stored.value}`)
      .join('; ')
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} })
    for (const header of response.headers.getSetCookie()) storeCookie(jar, header)
    const location = response.headers.get('location')
    if (response.status < 300 || response.status >= 400 || !location) {
      const text = await response.text()
      throw new Error(
        `the provider stopped at ${url.pathname} with ${response.status}: ${text.slice(0, 200)}`,
      )
    }
    await response.body?.cancel()
    const next = new URL(location, url)
    if (next.origin !== origin) return next
    url = next
  }
  throw new Error(`the provider did not redirect back within ${maxHops} hops`)
}

function storeCookie(jar: Map<string, StoredCookie>, header: string): void {
  const [pair = '', ...attributes] = header.split(';')
  const separator = pair.indexOf('=')
  if (separator < 1) return
  const name = pair.slice(0, separator).trim()
  const value = pair.slice(separator + 1).trim()
  let path = '/'
  let expired = false
  for (const attribute of attributes) {
    const [key = '', attributeValue = ''] = attribute.split('=').map((part) => part.trim())
    if (key.toLowerCase() === 'path' && attributeValue.startsWith('/')) path = attributeValue
    if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true
    if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true
  }
  const key = `${name};${path}`
  if (expired || value === '') jar.delete(key)
  else jar.set(key, { name, value, path })
}

/** The part of a Fastify instance `injectingFetch` needs (kept structural: no auth-core here). */
export interface InjectTarget {
  inject(options: {
    method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS'
    url: string
    headers: Record<string, string>
    payload?: string
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer }>
}

const INJECT_METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'] as const

/**
 * A `fetch` that hands requests for `origin` (our MCP server, e.g. `https://mcp.test`) to
 * `app.inject()` and sends everything else over the network (the loopback stand-ins), so a
 * headless browser can walk a login that crosses both without our app listening on a port.
 */
export function injectingFetch(app: InjectTarget, origin: string): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input)
    if (url.origin !== origin) return fetch(input, init)
    const method = INJECT_METHODS.find((known) => known === (init?.method ?? 'GET').toUpperCase()) ?? 'GET'
    const headers: Record<string, string> = { host: url.host }
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value
    })
    const body = init?.body
    const response = await app.inject({
      method,
      url: `${url.pathname}${url.search}`,
      headers,
      ...(typeof body === 'string' || body instanceof URLSearchParams ? { payload: body.toString() } : {}),
    })
    const answer = new Headers()
    for (const [key, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) answer.append(key, String(item))
      else if (value !== undefined) answer.set(key, String(value))
    }
    const empty = response.statusCode === 204 || response.statusCode === 304 || method === 'HEAD'
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers: answer })
  }
}
