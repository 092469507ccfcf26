import { mxcpAuth, requireUser, validateAuthConfig } from '@mxcp/auth-core'
import { FakeClock } from '@mxcp/auth-core/testing'
import { oidc } from '@mxcp/provider-oidc'
import { parseMetaRefresh } from '@mxcp/testing/browser/html-form'
import { type HostileBehaviour, type HostileOp, startHostileOp } from '@mxcp/testing/stand-ins/hostile-op'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { BASE, CLIENT_REDIRECT, formFields, handoverTarget, pkcePair } from './attack-harness.js'
import { type RecordingStore, recordingStore } from './recording-store.js'
import { formBody, Visitor } from './visitor.js'

export interface OidcAttackHarnessOptions {
  /** Keys merged into the raw `auth` block (e.g. `authorization`). */
  readonly auth?: Record<string, unknown>
  /** Keys merged into the `auth.oidc` block (e.g. `username_claim`). */
  readonly oidc?: Record<string, unknown>
  /** The hostile provider's initial behaviour. */
  readonly behaviour?: Partial<HostileBehaviour>
  /** Per-request timeout towards the provider, ms. */
  readonly providerTimeoutMs?: number
}

/** What the server answered at the end of a login (the callback's answer) and the request. */
export interface OidcLoginResult {
  readonly response: LightMyRequestResponse
  /** The client's redirect (a 302 `location`), when there was one. */
  readonly redirect: URL | undefined
  readonly verifier: string
  readonly state: string
}

/**
 * The system under attack with `provider: oidc`: `mxcpAuth` and the real `@mxcp/provider-oidc`
 * against the hostile OpenID Provider of `@mxcp/testing` (any claim, body, delay, `iss`), a
 * recording store, a fake clock shared with the provider (ID token times), every log line kept,
 * and a guarded `/mcp` answering the caller's identity.
 */
export class OidcAttackHarness {
  readonly app: FastifyInstance
  readonly op: HostileOp
  readonly clock: FakeClock
  readonly store: RecordingStore
  readonly logs: string[]
  readonly base = BASE

  private constructor(parts: Pick<OidcAttackHarness, 'app' | 'op' | 'clock' | 'store' | 'logs'>) {
    this.app = parts.app
    this.op = parts.op
    this.clock = parts.clock
    this.store = parts.store
    this.logs = parts.logs
  }

  static async start(options: OidcAttackHarnessOptions = {}): Promise<OidcAttackHarness> {
    const clock = new FakeClock(Date.now())
    const op = await startHostileOp({ now: () => clock.now(), behaviour: options.behaviour ?? {} })
    const auth = validateAuthConfig({
      provider: 'oidc',
      oidc: { client_id: op.clientId, client_secret: op.clientSecret, issuer: op.issuer, ...options.oidc },
      rate_limit: { enabled: false },
      ...options.auth,
    })
    const store = recordingStore()
    const logs: string[] = []
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } } })
    const provider = oidc(auth.oidc ?? {}, {
      clock,
      log: app.log,
      ...(options.providerTimeoutMs ? { timeoutMs: options.providerTimeoutMs } : {}),
    })
    await app.register(mxcpAuth, { auth, provider, store, clock, urls: { baseUrl: BASE } })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.get('/mcp', async (request) => {
        const { userId, username, email } = requireUser(request)
        return { userId, username, email: email ?? null }
      })
    })
    await app.ready()
    return new OidcAttackHarness({ app, op, clock, store, logs })
  }

  async close(): Promise<void> {
    await this.app.close()
    await this.store.close()
    await this.op.close()
  }

  /** Registers a public loopback client; returns its id. */
  async register(): Promise<string> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/register',
      headers: { host: 'mcp.test', 'content-type': 'application/json' },
      payload: JSON.stringify({
        client_name: 'OIDC attack client',
        redirect_uris: [CLIENT_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
      }),
    })
    if (response.statusCode !== 201) throw new Error(`register: ${response.statusCode} ${response.body}`)
    return String(response.json<Record<string, unknown>>()['client_id'])
  }

  /**
   * One login up to the callback's answer: our consent (approved), the hostile provider's
   * authorization endpoint (it redirects at once), our callback. Store calls and provider requests
   * recorded before the callback are forgotten, so a test sees what the callback did.
   */
  async login(clientId: string): Promise<OidcLoginResult> {
    const { decided, visitor, verifier, state } = await this.approve(clientId)
    const upstream = handoverTarget(decided, new URL('/consent', BASE))
    if (!upstream) throw new Error(`approve: ${decided.statusCode} ${decided.body}`)
    const atProvider = await fetch(upstream, { redirect: 'manual' })
    await atProvider.body?.cancel()
    const callback = atProvider.headers.get('location')
    if (!callback) throw new Error(`the provider answered ${atProvider.status} without a redirect`)
    this.store.forget()
    const response = await visitor.get(new URL(callback))
    const location = response.headers.location
    // A redirect, or a page that names the problem and then returns the browser to the client.
    const redirect =
      response.statusCode === 302 && typeof location === 'string'
        ? new URL(location)
        : parseMetaRefresh(response.body, new URL(callback))
    return { response, redirect, verifier, state }
  }

  /** Our consent page for a new authorization request, approved: the answer to the approval. */
  async approve(
    clientId: string,
  ): Promise<{ decided: LightMyRequestResponse; visitor: Visitor; verifier: string; state: string }> {
    const visitor = new Visitor(this.app, BASE)
    const { verifier, challenge } = pkcePair()
    const state = `st-${Math.random().toString(36).slice(2)}`
    const start = new URL('/authorize', BASE)
    start.search = formBody({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      resource: `${BASE}/mcp`,
    })
    const consent = await visitor.get(start)
    if (consent.statusCode !== 200) throw new Error(`consent page: ${consent.statusCode} ${consent.body}`)
    const decided = await visitor.post('/consent', {
      ...formFields(consent.body, start),
      decision: 'approve',
    })
    return { decided, visitor, verifier, state }
  }

  /** A complete sign-in: login, then the code for our tokens; returns the access token. */
  async signIn(clientId: string): Promise<string> {
    return (await this.signInTokens(clientId)).accessToken
  }

  /** A complete sign-in; returns our access and refresh tokens. */
  async signInTokens(clientId: string): Promise<{ accessToken: string; refreshToken: string }> {
    const { redirect, verifier } = await this.login(clientId)
    const code = redirect?.searchParams.get('code')
    if (!code) throw new Error(`no code: ${redirect?.href}`)
    const token = await this.app.inject({
      method: 'POST',
      url: '/token',
      headers: { host: 'mcp.test', 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: CLIENT_REDIRECT,
        client_id: clientId,
        resource: `${BASE}/mcp`,
      }),
    })
    if (token.statusCode !== 200) throw new Error(`token: ${token.statusCode} ${token.body}`)
    const body = token.json<Record<string, unknown>>()
    return { accessToken: String(body['access_token']), refreshToken: String(body['refresh_token']) }
  }

  /** `POST /revoke` (RFC 7009) of `token` by the public client `clientId`. */
  revoke(clientId: string, token: string): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { host: 'mcp.test', 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ token, client_id: clientId }),
    })
  }

  /** `GET /mcp` with the bearer token. */
  call(accessToken: string): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'GET',
      url: '/mcp',
      headers: { host: 'mcp.test', authorization: `Bearer ${accessToken}` },
    })
  }

  /** Every log line so far, joined (to assert that something was not logged). */
  logText(): string {
    return this.logs.join('\n')
  }
}
