import { randomBytes } from 'node:crypto'
import {
  type BrowseResult,
  type ConsentDecision,
  type FakeIdp,
  type FakeIdpOptions,
  HeadlessBrowser,
  startFakeIdp,
} from '@mxcp/testing'
import Fastify, { type FastifyInstance, type FastifyRequest, type LightMyRequestResponse } from 'fastify'
import { FakeClock } from '../../src/clock.js'
import { sha256Base64Url } from '../../src/crypto.js'
import {
  MemoryStore,
  type MxcpAuthOptions,
  mxcpAuth,
  type OAuthStore,
  requireUser,
  type UpstreamProvider,
  type UrlOptions,
  validateAuthConfig,
} from '../../src/index.js'
import { type FakeProviderOptions, fakeIdpProvider } from './fake-provider.js'
import { injectFetch } from './inject-fetch.js'

export const BASE = 'https://mcp.test'
export const RESOURCE = `${BASE}/mcp`
export const PRM_URL = `${BASE}/.well-known/oauth-protected-resource/mcp`
export const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'
/** Every injected request names our host, so a harness without `baseUrl` resolves to BASE too. */
const HOST = new URL(BASE).host

export interface HarnessOptions {
  /** Keys merged into the raw `auth` block (before validation). */
  readonly auth?: Record<string, unknown>
  readonly idp?: FakeIdpOptions
  readonly provider?: FakeProviderOptions
  readonly store?: OAuthStore
  /** Default `{ baseUrl: BASE }`. */
  readonly urls?: UrlOptions
  readonly secret?: Buffer
  /** Replaces the provider (to make one of its methods fail, say). */
  readonly wrapProvider?: (provider: UpstreamProvider) => UpstreamProvider
  readonly mcpPath?: string
  /** The plugin's `events` sink. */
  readonly events?: MxcpAuthOptions['events']
}

/** A client as `/register` answered it. */
export interface TestClient {
  readonly clientId: string
  readonly clientSecret: string | undefined
  readonly body: Record<string, unknown>
}

export interface LoginResult {
  readonly params: URLSearchParams
  readonly code: string
  readonly verifier: string
  readonly state: string
  readonly browse: BrowseResult
}

export interface IssuedTokens {
  readonly accessToken: string
  readonly refreshToken: string | undefined
  readonly body: Record<string, unknown>
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: sha256Base64Url(verifier) }
}

/** Path and query of an absolute URL, for `app.inject()`. */
export function pathOf(url: string | URL): string {
  const parsed = new URL(url)
  return `${parsed.pathname}${parsed.search}`
}

export function form(params: Record<string, string | undefined>): string {
  const clean = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return new URLSearchParams(clean).toString()
}

/** Our app with the plugin and a guarded `/mcp`, a loopback fake identity provider, a fake clock and captured logs. */
export class Harness {
  readonly app: FastifyInstance
  readonly idp: FakeIdp
  readonly clock: FakeClock
  readonly store: OAuthStore
  readonly provider: UpstreamProvider
  readonly logs: string[]

  private constructor(
    app: FastifyInstance,
    idp: FakeIdp,
    clock: FakeClock,
    store: OAuthStore,
    provider: UpstreamProvider,
    logs: string[],
  ) {
    this.app = app
    this.idp = idp
    this.clock = clock
    this.store = store
    this.provider = provider
    this.logs = logs
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const clock = new FakeClock()
    const idp = await startFakeIdp({ now: () => clock.now(), ...options.idp })
    const base = fakeIdpProvider(idp, { now: () => clock.now(), ...options.provider })
    const provider = options.wrapProvider ? options.wrapProvider(base) : base
    const store = options.store ?? new MemoryStore()
    const logs: string[] = []
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } } })
    const auth = validateAuthConfig({
      provider: 'github',
      github: { client_id: idp.clientId, client_secret: idp.clientSecret },
      ...options.auth,
    })
    await app.register(mxcpAuth, {
      auth,
      provider,
      store,
      clock,
      urls: options.urls ?? { baseUrl: BASE },
      ...(options.secret ? { secret: options.secret } : {}),
      ...(options.mcpPath ? { mcpPath: options.mcpPath } : {}),
      ...(options.events ? { events: options.events } : {}),
    } satisfies MxcpAuthOptions)
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      const whoami = async (request: FastifyRequest) => {
        const user = requireUser(request)
        return { user, upstreamToken: user.upstreamToken }
      }
      mcp.get('/mcp', whoami)
      mcp.post('/mcp', whoami)
    })
    await app.ready()
    return new Harness(app, idp, clock, store, provider, logs)
  }

  async close(): Promise<void> {
    await this.app.close()
    await this.idp.close()
  }

  /** A headless browser whose requests to BASE go to `app.inject()`. */
  browser(): HeadlessBrowser {
    return new HeadlessBrowser({ fetch: injectFetch(this.app, BASE) })
  }

  /** `POST /register` with JSON metadata (a public loopback client by default). */
  async register(metadata: Record<string, unknown> = {}): Promise<TestClient> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/register',
      headers: { host: HOST },
      payload: {
        client_name: 'Test Client',
        redirect_uris: [CLIENT_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        ...metadata,
      },
    })
    if (response.statusCode !== 201)
      throw new Error(`register failed: ${response.statusCode} ${response.body}`)
    const body = response.json() as Record<string, unknown>
    return {
      clientId: String(body['client_id']),
      clientSecret: typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined,
      body,
    }
  }

  /** An authorization URL for `clientId` with PKCE S256, a state and our resource. */
  authorizeUrl(
    clientId: string,
    overrides: Record<string, string | undefined> = {},
  ): { url: string; verifier: string; state: string } {
    const { verifier, challenge } = pkcePair()
    const state = randomBytes(8).toString('hex')
    const query = form({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: 'mxcp:access',
      resource: RESOURCE,
      ...overrides,
    })
    return { url: `${BASE}/authorize?${query}`, verifier, state }
  }

  /** Runs the browser through consent, the fake provider and our callback, up to the client's redirect URI. */
  async login(
    clientId: string,
    options: {
      decision?: ConsentDecision
      overrides?: Record<string, string | undefined>
      browser?: HeadlessBrowser
    } = {},
  ): Promise<LoginResult> {
    const { url, verifier, state } = this.authorizeUrl(clientId, options.overrides)
    const browse = await (options.browser ?? this.browser()).run(url, {
      stopAt: CLIENT_REDIRECT,
      decision: options.decision ?? 'approve',
    })
    return { params: browse.params, code: browse.params.get('code') ?? '', verifier, state, browse }
  }

  /** `POST /token` with form parameters. */
  token(
    params: Record<string, string | undefined>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url: '/token',
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: form(params),
    })
  }

  /** Redeems a code for `client` (public: client_id in the body; confidential: client_secret_post). */
  redeem(
    client: TestClient,
    login: LoginResult,
    extra: Record<string, string | undefined> = {},
  ): Promise<LightMyRequestResponse> {
    return this.token({
      grant_type: 'authorization_code',
      code: login.code,
      code_verifier: login.verifier,
      redirect_uri: CLIENT_REDIRECT,
      resource: RESOURCE,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      ...extra,
    })
  }

  /** Registers (unless given) a client, logs in and redeems the code. */
  async issue(client?: TestClient): Promise<IssuedTokens & { client: TestClient }> {
    const registered = client ?? (await this.register())
    const login = await this.login(registered.clientId)
    const response = await this.redeem(registered, login)
    if (response.statusCode !== 200)
      throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
    const body = response.json() as Record<string, unknown>
    return {
      client: registered,
      accessToken: String(body['access_token']),
      refreshToken: typeof body['refresh_token'] === 'string' ? body['refresh_token'] : undefined,
      body,
    }
  }

  /** `GET /mcp` with a bearer token (or none). */
  call(
    accessToken?: string,
    url = '/mcp',
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'GET',
      url,
      headers: { host: HOST, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...headers },
    })
  }

  /** Parsed JSON log lines. */
  logLines(): Record<string, unknown>[] {
    return this.logs.map((line) => JSON.parse(line) as Record<string, unknown>)
  }
}
