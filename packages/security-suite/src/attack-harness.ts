import { randomBytes } from 'node:crypto'
import {
  type MxcpAuthOptions,
  mxcpAuth,
  requireUser,
  type UrlOptions,
  validateAuthConfig,
} from '@mxcp/auth-core'
import { FakeClock, sha256Base64Url } from '@mxcp/auth-core/testing'
import { github } from '@mxcp/provider-github'
import { parseForms, parseMetaRefresh } from '@mxcp/testing'
import {
  type GitHubStandIn,
  type GitHubStandInOptions,
  startGitHubStandIn,
} from '@mxcp/testing/stand-ins/github'
import Fastify, { type FastifyInstance, type FastifyRequest, type LightMyRequestResponse } from 'fastify'
import { type RecordingStore, recordingStore } from './recording-store.js'
import { type FormFields, formBody, Visitor } from './visitor.js'

/** Our server's external URL in injected tests (a base URL is configured, so Host does not matter). */
export const BASE = 'https://mcp.test'
/** The MCP client's loopback redirect URI (RFC 8252 §7.3). */
export const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'
/** The GitHub scopes we ask for: the email, and organizations for `allowed_organizations`. */
export const GITHUB_SCOPE = 'user:email read:org'

export interface AttackHarnessOptions {
  /** Keys merged into the raw `auth` block before validation (e.g. `authorization`, `clients`). */
  readonly auth?: Record<string, unknown>
  /** Keys merged into the `auth.github` block. */
  readonly github?: Record<string, unknown>
  readonly standIn?: GitHubStandInOptions
  /** Turns rate limiting on with these limits; every other harness runs with `rate_limit.enabled: false`. */
  readonly rateLimit?: { readonly max: number; readonly window_seconds: number }
  /** URL options of the plugin instead of `{ baseUrl: BASE }` (proxies, allowed hosts). */
  readonly urls?: UrlOptions
  /** Per-request timeout towards the stand-in, ms. */
  readonly providerTimeoutMs?: number
  /**
   * Listen on 127.0.0.1 (a free port) for a real browser; the base URL then comes from the Host
   * header over plain http (loopback only). Default: `app.inject()` with `BASE` as base URL.
   */
  readonly listen?: boolean
}

/** A client as `/register` answered it. */
export interface RegisteredClient {
  readonly clientId: string
  readonly clientSecret: string | undefined
  readonly body: Readonly<Record<string, unknown>>
}

/** An authorization request the harness built, with the secrets the client keeps. */
export interface AuthorizationRequestUrl {
  readonly url: URL
  readonly verifier: string
  readonly state: string
}

/** The end of a login: where the browser was sent back to the client. */
export interface CompletedLogin {
  readonly redirect: URL
  readonly code: string
  readonly verifier: string
  readonly state: string
}

/** What `/token` answered for a successful grant. */
export interface IssuedTokens {
  readonly accessToken: string
  readonly refreshToken: string
  readonly body: Readonly<Record<string, unknown>>
}

/** A fresh PKCE pair (RFC 7636 §4.1, §4.2). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: sha256Base64Url(verifier) }
}

/** The form fields of the first form on an HTML page. */
export function formFields(html: string, page: URL): Record<string, string> {
  const [form] = parseForms(html, page)
  if (!form) throw new Error('the page has no form')
  return Object.fromEntries(form.fields)
}

/** The target of a hand-over page (`<meta http-equiv="refresh">`), or undefined. */
export function handoverTarget(response: LightMyRequestResponse, page: URL): URL | undefined {
  if (response.statusCode !== 200) return undefined
  return parseMetaRefresh(response.body, page)
}

/**
 * The system under attack, assembled as a user would: `@mxcp/auth-core`'s `mxcpAuth` with the
 * real `@mxcp/provider-github` against the GitHub stand-in on loopback, a recording store, a
 * fake clock and a guarded `/mcp`. Each step of a login is a method, so an attack can stop at
 * any step, change it, or repeat it.
 */
export class AttackHarness {
  readonly app: FastifyInstance
  readonly standIn: GitHubStandIn
  readonly clock: FakeClock
  readonly store: RecordingStore
  /** Our external URL: `BASE`, or `http://127.0.0.1:PORT` when listening. */
  readonly base: string
  /** Every log line the app wrote (JSON). */
  readonly logs: string[]

  private constructor(parts: Pick<AttackHarness, 'app' | 'standIn' | 'clock' | 'store' | 'base' | 'logs'>) {
    this.app = parts.app
    this.standIn = parts.standIn
    this.clock = parts.clock
    this.store = parts.store
    this.base = parts.base
    this.logs = parts.logs
  }

  static async start(options: AttackHarnessOptions = {}): Promise<AttackHarness> {
    const clock = new FakeClock()
    const standIn = await startGitHubStandIn({ now: () => clock.now(), ...options.standIn })
    const auth = validateAuthConfig({
      provider: 'github',
      github: {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        scope: GITHUB_SCOPE,
        auth_url: `${standIn.url}/login/oauth/authorize`,
        token_url: `${standIn.url}/login/oauth/access_token`,
        api_url: standIn.apiUrl,
        ...options.github,
      },
      rate_limit: options.rateLimit ? { enabled: true, ...options.rateLimit } : { enabled: false },
      ...options.auth,
    })
    const provider = github(auth.github ?? {}, {
      clock,
      ...(options.providerTimeoutMs ? { timeoutMs: options.providerTimeoutMs } : {}),
    })
    const store = recordingStore()
    const logs: string[] = []
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } } })
    await app.register(mxcpAuth, {
      auth,
      provider,
      store,
      clock,
      urls: options.urls ?? (options.listen ? { scheme: 'http' } : { baseUrl: BASE }),
    } satisfies MxcpAuthOptions)
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      const whoami = async (request: FastifyRequest) => {
        const { username, scopes } = requireUser(request)
        return { username, scopes }
      }
      mcp.get('/mcp', whoami)
      mcp.post('/mcp', whoami)
    })
    const base = options.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : BASE
    if (!options.listen) await app.ready()
    return new AttackHarness({ app, standIn, clock, store, base, logs })
  }

  async close(): Promise<void> {
    await this.app.close()
    await this.store.close()
    await this.standIn.close()
  }

  /** Between tests: forgets recorded store calls and upstream requests, heals the stand-in. */
  reset(): void {
    this.store.forget()
    this.standIn.requests.length = 0
    this.standIn.heal()
  }

  /** The canonical MCP URL, the audience of our tokens. */
  get resource(): string {
    return `${this.base}/mcp`
  }

  /** A new browser. */
  visitor(): Visitor {
    return new Visitor(this.app, this.base)
  }

  /** Injects a request without cookies. */
  inject(
    method: 'GET' | 'POST' | 'OPTIONS' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD',
    url: string,
    options: { headers?: Record<string, string>; payload?: string | Buffer; remoteAddress?: string } = {},
  ): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method,
      url,
      headers: { host: new URL(this.base).host, ...options.headers },
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    })
  }

  /** `POST /register` with JSON metadata, as sent. */
  registerRaw(body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.inject('POST', '/register', {
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    })
  }

  /** Registers a client (a public loopback client with refresh tokens unless told otherwise). */
  async register(metadata: Record<string, unknown> = {}): Promise<RegisteredClient> {
    const response = await this.registerRaw({
      client_name: 'Attack Suite Client',
      redirect_uris: [CLIENT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      ...metadata,
    })
    if (response.statusCode !== 201) throw new Error(`register: ${response.statusCode} ${response.body}`)
    const body = response.json<Record<string, unknown>>()
    return {
      clientId: String(body['client_id']),
      clientSecret: typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined,
      body,
    }
  }

  /** An authorization request for `clientId`: PKCE S256, a state, our resource; `overrides` replace or (undefined) drop parameters. */
  authorizeUrl(clientId: string, overrides: FormFields = {}): AuthorizationRequestUrl {
    const { verifier, challenge } = pkcePair()
    const state = randomBytes(12).toString('base64url')
    const url = new URL('/authorize', this.base)
    url.search = formBody({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: 'mxcp:access',
      resource: this.resource,
      ...overrides,
    })
    return { url, verifier, state }
  }

  /** Opens the consent page in `visitor`; returns the page and its form fields. */
  async openConsent(
    visitor: Visitor,
    request: AuthorizationRequestUrl,
  ): Promise<{ response: LightMyRequestResponse; fields: Record<string, string> }> {
    const response = await visitor.get(request.url)
    if (response.statusCode !== 200) throw new Error(`consent page: ${response.statusCode} ${response.body}`)
    return { response, fields: formFields(response.body, request.url) }
  }

  /** Posts the consent form with `decision`; returns the answer. */
  decide(
    visitor: Visitor,
    fields: FormFields,
    decision: 'approve' | 'deny' = 'approve',
  ): Promise<LightMyRequestResponse> {
    return visitor.post('/consent', { ...fields, decision })
  }

  /** Approves in `visitor` and returns the URL the hand-over page sends the browser to (GitHub). */
  async approve(visitor: Visitor, request: AuthorizationRequestUrl): Promise<URL> {
    const { fields } = await this.openConsent(visitor, request)
    const response = await this.decide(visitor, fields)
    const target = handoverTarget(response, new URL('/consent', this.base))
    if (!target) throw new Error(`approve: ${response.statusCode} ${response.body}`)
    return target
  }

  /** What the user's browser does at GitHub: returns the callback URL GitHub sends it back to. */
  async atGitHub(upstream: URL): Promise<URL> {
    const response = await fetch(upstream, { redirect: 'manual' })
    const location = response.headers.get('location')
    await response.body?.cancel()
    if (!location) throw new Error(`GitHub answered ${response.status} without a redirect`)
    return new URL(location)
  }

  /** Runs a whole login in `visitor` (a new one by default) and returns where it ended. */
  async login(
    clientId: string,
    options: { visitor?: Visitor; overrides?: FormFields } = {},
  ): Promise<CompletedLogin> {
    const visitor = options.visitor ?? this.visitor()
    const request = this.authorizeUrl(clientId, options.overrides)
    const callback = await this.atGitHub(await this.approve(visitor, request))
    const response = await visitor.get(callback)
    const location = response.headers.location
    if (response.statusCode !== 302 || typeof location !== 'string')
      throw new Error(`callback: ${response.statusCode} ${response.body}`)
    const redirect = new URL(location)
    return {
      redirect,
      code: redirect.searchParams.get('code') ?? '',
      verifier: request.verifier,
      state: request.state,
    }
  }

  /** `POST /token` with form fields. */
  token(
    fields: FormFields,
    headers: Record<string, string> = {},
    remoteAddress?: string,
  ): Promise<LightMyRequestResponse> {
    return this.inject('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: formBody(fields),
      ...(remoteAddress ? { remoteAddress } : {}),
    })
  }

  /** Redeems a login's code as `client` would (public: `client_id`; confidential: `client_secret_post`). */
  redeem(
    client: RegisteredClient,
    login: CompletedLogin,
    extra: FormFields = {},
  ): Promise<LightMyRequestResponse> {
    return this.token({
      grant_type: 'authorization_code',
      code: login.code,
      code_verifier: login.verifier,
      redirect_uri: CLIENT_REDIRECT,
      resource: this.resource,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      ...extra,
    })
  }

  /** Uses a refresh token as `client`. */
  refresh(
    client: RegisteredClient,
    refreshToken: string,
    extra: FormFields = {},
  ): Promise<LightMyRequestResponse> {
    return this.token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      resource: this.resource,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      ...extra,
    })
  }

  /** Logs in and redeems the code: a client with live tokens. */
  async issue(client: RegisteredClient): Promise<IssuedTokens> {
    const response = await this.redeem(client, await this.login(client.clientId))
    if (response.statusCode !== 200) throw new Error(`token: ${response.statusCode} ${response.body}`)
    const body = response.json<Record<string, unknown>>()
    return { accessToken: String(body['access_token']), refreshToken: String(body['refresh_token']), body }
  }

  /** `GET /mcp`, with a bearer token when given. */
  call(
    accessToken?: string,
    options: { url?: string; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    return this.inject('GET', options.url ?? '/mcp', {
      headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...options.headers },
    })
  }

  /** `POST /revoke` with form fields. */
  revoke(fields: FormFields, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.inject('POST', '/revoke', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: formBody(fields),
    })
  }

  /** Requests GitHub's token endpoint received (code exchanges and refreshes). */
  upstreamTokenCalls(): number {
    return this.standIn.requestsTo('token').length
  }
}
