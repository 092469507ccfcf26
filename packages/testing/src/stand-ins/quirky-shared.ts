import { createHash, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { type LoopbackServer, readBody, startLoopbackServer } from './loopback-server.js'
import type { StandInOptions } from './stand-in-options.js'

/**
 * The machinery shared by the GitHub, Atlassian and Salesforce stand-ins: a loopback HTTP
 * server, a record of every request, switchable failures, and a book of codes and tokens with
 * PKCE (RFC 7636) and rotation. Each stand-in adds only its provider's wire format.
 */

/** What a stand-in can be told to do wrong at one of its endpoints. */
export type StandInFailure =
  /** 503 with an HTML page, as a load balancer answers during an outage. */
  | 'server-error'
  /** 200 with an HTML body where JSON was due (a captive portal or a proxy's login page). */
  | 'malformed'
  /** The provider's own error answer for that endpoint (GitHub: HTTP 200 with an `error` field). */
  | 'oauth-error'
  /** Answers normally, but only after `slowMs`. */
  | 'slow'
  /** 200 with a JSON body of 2 MiB, more than any client should read from an identity provider. */
  | 'oversized'

/** One request as the stand-in received it. */
export interface RecordedRequest {
  /** The stand-in's name for the endpoint (`token`, `user`, …). */
  readonly endpoint: string
  /** The server that received it (`http://127.0.0.1:port`): stand-ins with two hosts tell them apart. */
  readonly origin: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
  /** Form or JSON fields of the body; `{}` when there was none or it could not be parsed. */
  readonly body: Readonly<Record<string, unknown>>
  readonly rawBody: string
}

/** A request on its way through a stand-in. */
export interface StandInRequest extends RecordedRequest {
  readonly url: URL
}

/** An endpoint of a stand-in. */
export interface StandInRoute<Endpoint extends string> {
  readonly method: 'GET' | 'POST' | 'DELETE'
  /** Exact path, or a pattern for paths with parameters. */
  readonly path: string | RegExp
  readonly endpoint: Endpoint
  handle(request: StandInRequest): Answer | Promise<Answer>
}

/** What a stand-in sends back. */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** What the authorization endpoint granted, waiting for the code exchange. */
export interface IssuedGrant<User> {
  readonly clientId: string
  readonly redirectUri: string
  readonly scope: string
  readonly codeChallenge: string | undefined
  readonly codeChallengeMethod: string | undefined
  readonly user: User
  readonly expiresAt: number
}

/** A live access or refresh token. */
export interface IssuedToken<User> {
  readonly kind: 'access' | 'refresh'
  readonly clientId: string
  readonly scope: string
  readonly user: User
  /** undefined: lives until revoked (classic GitHub tokens, Salesforce sessions as seen by a client). */
  readonly expiresAt: number | undefined
  /** One login's tokens share a family: revoking its refresh token kills the access tokens too. */
  readonly family: string
}

/**
 * What every quirky stand-in can be configured with. Client defaults: `stand-in-client` /
 * `stand-in-secret`; without `redirectUris` every redirect URI is accepted.
 */
export interface QuirkyStandInOptions<User> extends StandInOptions<User> {
  /** How long a `slow` endpoint waits before it answers, ms (default 2 000). */
  readonly slowMs?: number
  /** The provider's clock, epoch ms (default `Date.now`). */
  readonly now?: () => number
}

/** The state and switches every quirky stand-in has. Subclasses add the routes. */
export abstract class QuirkyStandIn<Endpoint extends string, User> {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUris: readonly string[] | undefined
  /** The user who logs in next; change it between flows. */
  user: User
  /** When true, the user clicks "Deny" on the consent screen. */
  denyConsent = false
  slowMs: number
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = []
  readonly failures = new Map<Endpoint, StandInFailure>()
  readonly now: () => number

  readonly #codes = new Map<string, IssuedGrant<User>>()
  readonly #tokens = new Map<string, IssuedToken<User>>()
  readonly #servers: LoopbackServer[] = []

  protected constructor(defaultUser: User, options: QuirkyStandInOptions<User>) {
    this.clientId = options.clientId ?? 'stand-in-client'
    this.clientSecret = options.clientSecret ?? 'stand-in-secret'
    this.redirectUris = options.redirectUris
    this.user = { ...defaultUser, ...options.user }
    this.slowMs = options.slowMs ?? 2_000
    this.now = options.now ?? Date.now
  }

  /** Makes `endpoint` fail with `failure` until `heal()`. */
  fail(endpoint: Endpoint, failure: StandInFailure): this {
    this.failures.set(endpoint, failure)
    return this
  }

  /** Clears every failure and the consent denial. */
  heal(): this {
    this.failures.clear()
    this.denyConsent = false
    return this
  }

  /** The requests one endpoint received. */
  requestsTo(endpoint: Endpoint): RecordedRequest[] {
    return this.requests.filter((request) => request.endpoint === endpoint)
  }

  /** Kills one token as the user would from the provider's settings page (a refresh token takes its family along). */
  revokeToken(token: string): void {
    const issued = this.#tokens.get(token)
    this.#tokens.delete(token)
    if (issued?.kind === 'refresh') this.revokeFamily(issued.family)
  }

  /** Kills every token of one login. */
  revokeFamily(family: string): void {
    for (const [token, issued] of this.#tokens) if (issued.family === family) this.#tokens.delete(token)
  }

  /** Kills every token issued so far. */
  revokeAll(): void {
    this.#tokens.clear()
  }

  /** Stops the servers; pending slow answers are dropped. */
  async close(): Promise<void> {
    await Promise.all(this.#servers.map((server) => server.close()))
  }

  /** Issues a single-use authorization code. */
  protected issueCode(grant: Omit<IssuedGrant<User>, 'expiresAt' | 'user'>, ttlMs: number): string {
    const code = randomToken(20)
    this.#codes.set(code, { ...grant, user: this.user, expiresAt: this.now() + ttlMs })
    return code
  }

  /**
   * Grants the authorization request `q`: a single-use code for `scope`, bound to the PKCE
   * challenge the request carried and `codeChallengeMethod` (RFC 7636 §4.4), sent back to
   * `redirectUri` with the request's `state` (RFC 6749 §4.1.2).
   */
  protected approve(
    q: Readonly<Record<string, string>>,
    redirectUri: string,
    grant: { readonly scope: string; readonly codeChallengeMethod: string | undefined },
    ttlMs: number,
  ): Answer {
    const code = this.issueCode(
      { ...grant, clientId: this.clientId, redirectUri, codeChallenge: q['code_challenge'] },
      ttlMs,
    )
    return found(redirectUri, { code, state: q['state'] })
  }

  /** Takes a code out of the book: a second use finds nothing. */
  protected takeCode(code: unknown): IssuedGrant<User> | undefined {
    if (typeof code !== 'string') return undefined
    const grant = this.#codes.get(code)
    this.#codes.delete(code)
    return grant && grant.expiresAt > this.now() ? grant : undefined
  }

  /** Removes one token without touching its family (a refresh token used once, when rotation is on). */
  protected forgetToken(token: string): void {
    this.#tokens.delete(token)
  }

  /** Records a token. */
  protected issueToken(token: string, issued: IssuedToken<User>): string {
    this.#tokens.set(token, issued)
    return token
  }

  /** A live token of the given kind, or undefined (unknown, revoked or expired). */
  protected liveToken(token: unknown, kind: IssuedToken<User>['kind']): IssuedToken<User> | undefined {
    if (typeof token !== 'string') return undefined
    const issued = this.#tokens.get(token)
    if (!issued || issued.kind !== kind) return undefined
    if (issued.expiresAt !== undefined && issued.expiresAt <= this.now()) return undefined
    return issued
  }

  /** The bearer token of a request, for API endpoints. */
  protected bearer(
    request: StandInRequest,
    schemes: readonly string[] = ['bearer'],
  ): IssuedToken<User> | undefined {
    const [scheme, token] = (request.headers.authorization ?? '').split(' ')
    if (!scheme || !schemes.includes(scheme.toLowerCase())) return undefined
    return this.liveToken(token, 'access')
  }

  /** Whether the redirect URI is registered (any URI when none were configured). */
  protected registered(redirectUri: string | undefined): redirectUri is string {
    if (!redirectUri) return false
    return this.redirectUris === undefined || this.redirectUris.includes(redirectUri)
  }

  /**
   * Starts one loopback server for `routes`. `oauthError` is the provider's own error answer
   * for an endpoint switched to `oauth-error`.
   */
  protected async listen(
    routes: readonly StandInRoute<Endpoint>[],
    oauthError: (endpoint: Endpoint, request: StandInRequest) => Answer,
  ): Promise<string> {
    const server: LoopbackServer = await startLoopbackServer(async (incoming, response) => {
      const answer = await this.#dispatch(routes, oauthError, incoming, server).catch((error: unknown) =>
        text(500, `stand-in failure: ${String(error)}`),
      )
      write(response, answer)
    })
    this.#servers.push(server)
    return server.url
  }

  async #dispatch(
    routes: readonly StandInRoute<Endpoint>[],
    oauthError: (endpoint: Endpoint, request: StandInRequest) => Answer,
    incoming: IncomingMessage,
    server: LoopbackServer,
  ): Promise<Answer> {
    const parsed = await readRequest(incoming)
    const route = routes.find(
      (candidate) =>
        candidate.method === parsed.method &&
        (typeof candidate.path === 'string'
          ? candidate.path === parsed.path
          : candidate.path.test(parsed.path)),
    )
    if (!route) return json(404, { message: 'Not Found' })
    const request: StandInRequest = { ...parsed, endpoint: route.endpoint }
    this.requests.push(request)
    const failure = this.failures.get(route.endpoint)
    // Never resolves once the server is closing: the slow answer is dropped.
    if (failure === 'slow') await server.delay(this.slowMs)
    if (failure === 'server-error')
      return html(503, '<html><body><h1>503 Service Unavailable</h1></body></html>')
    if (failure === 'malformed') return html(200, '<html><body>Please sign in to the proxy</body></html>')
    if (failure === 'oauth-error') return oauthError(route.endpoint, request)
    if (failure === 'oversized') return json(200, { padding: 'x'.repeat(2 * 1024 * 1024) })
    return route.handle(request)
  }
}

async function readRequest(incoming: IncomingMessage): Promise<Omit<StandInRequest, 'endpoint'>> {
  const rawBody = await readBody(incoming)
  const origin = `http://127.0.0.1:${incoming.socket.localPort}`
  const url = new URL(incoming.url ?? '/', origin)
  return {
    url,
    origin,
    method: incoming.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: incoming.headers,
    body: parseBody(incoming.headers['content-type'], rawBody),
    rawBody,
  }
}

function parseBody(contentType: string | undefined, rawBody: string): Record<string, unknown> {
  if (rawBody === '') return {}
  if (contentType?.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(rawBody))
  if (contentType?.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(rawBody)
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>
    } catch {
      return {}
    }
  }
  return {}
}

/** A URL-safe random string of `bytes` random bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** Random letters and digits, as GitHub's and Salesforce's token bodies are. */
export function randomAlphanumeric(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('')
}

/** RFC 7636 §4.6: does the verifier match the challenge the authorization request carried? */
export function pkceMatches(grant: IssuedGrant<unknown>, verifier: unknown): boolean {
  if (grant.codeChallenge === undefined) return true
  if (typeof verifier !== 'string' || grant.codeChallengeMethod !== 'S256') return false
  return createHash('sha256').update(verifier).digest('base64url') === grant.codeChallenge
}

/** RFC 6749 §2.3.1 HTTP Basic client credentials, form-decoded. */
export function basicCredentials(headers: IncomingHttpHeaders): { id: string; secret: string } | undefined {
  const [scheme, encoded] = (headers.authorization ?? '').split(' ')
  if (scheme?.toLowerCase() !== 'basic' || !encoded) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  const decode = (value: string) => decodeURIComponent(value.replaceAll('+', ' '))
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
}

/** A string field of a parsed body or query, or undefined. */
export function field(record: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = record[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }
}

/** A form-encoded answer (GitHub's token endpoint without `Accept: application/json`). */
export function form(status: number, fields: Record<string, string>): Answer {
  return {
    status,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(fields).toString(),
  }
}

/** An HTML page: what a browser sees when a provider cannot redirect. */
export function html(status: number, page: string): Answer {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page }
}

/** A plain-text answer (GitHub's missing User-Agent page, Salesforce's `Bad_OAuth_Token`). */
export function text(status: number, body: string): Answer {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body }
}

/** An answer without a body (`204`, or `200` for a revocation). */
export function empty(status: number): Answer {
  return { status, headers: {}, body: '' }
}

/** 302 to `target` with `params` added to its query (RFC 6749 §4.1.2). */
export function found(target: string, params: Record<string, string | undefined>): Answer {
  const location = new URL(target)
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) location.searchParams.set(key, value)
  return { status: 302, headers: { location: location.toString() }, body: '' }
}

function write(response: ServerResponse, answer: Answer): void {
  if (response.destroyed) return
  response.writeHead(answer.status, answer.headers)
  response.end(answer.body)
}

/**
 * What a browser does with an authorization URL when the user is already logged in at the
 * provider: GET it and return where the provider sends the user back (the `Location`).
 * Throws when the provider answers anything but a redirect (an error page).
 */
export async function followAuthorization(url: URL | string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual' })
  const location = response.headers.get('location')
  await response.body?.cancel()
  if (response.status !== 302 || !location)
    throw new Error(`the authorization endpoint answered ${response.status}`)
  return new URL(location)
}
