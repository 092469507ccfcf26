import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/auth-schema.js'
import { validateAuthConfig } from '../config/load-auth.js'
import { sha256Base64Url } from '../crypto.js'
import { requireUser } from '../guard/require-user.js'
import { mxcpAuth } from '../plugin.js'
import type { UpstreamProvider } from '../provider.js'
import type { UserContext } from '../user-context.js'

/** The MCP client's redirect URI: loopback, and never bound (the browser stops there). */
export const FLOW_CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'
/** The `state` the MCP client sends, which must come back to it unchanged (RFC 6749 §4.1.2). */
export const FLOW_CLIENT_STATE = 'client-state'

/** What a browser run returns: the client's redirect parameters and the URLs it went through. */
export interface FlowBrowserRun {
  readonly params: URLSearchParams
  readonly trace: readonly { readonly url: string }[]
}

/**
 * The browser that walks the login, as a class: `@mxcp/testing`'s `HeadlessBrowser` fits. It is
 * given the `fetch` to use (the network, or one that reaches our app through `app.inject()`) and
 * stops at the client's redirect URI.
 */
export type FlowBrowser = new (options: {
  readonly fetch: typeof fetch
}) => {
  run(start: URL, options: { readonly stopAt: string }): Promise<FlowBrowserRun>
}

/** A `fetch` that hands requests for `origin` to `app.inject()`: `@mxcp/testing`'s `injectingFetch` fits. */
export type InjectingFetch = (app: FastifyInstance, origin: string) => typeof fetch

/** Options of `startProviderFlow`. */
export interface ProviderFlowOptions {
  /** The raw `auth` block of a profile; it is validated as the server validates it. */
  readonly auth: unknown
  /** Builds the provider under test from the validated block. */
  readonly provider: (auth: AuthConfig) => UpstreamProvider
  /** Drives our server's time (token expiry, user cache). */
  readonly clock: Clock
  readonly browser: FlowBrowser
  /** The upstream's authorization endpoint, which every login passes, and its name for messages. */
  readonly upstream: { readonly name: string; readonly authorizeUrl: string }
  /**
   * Reach our app through `app.inject()` at `baseUrl` (`urls.baseUrl` of the plugin) instead of
   * listening on 127.0.0.1: for upstreams that must know our callback URL before we start.
   */
  readonly inject?: { readonly baseUrl: string; readonly injectingFetch: InjectingFetch }
}

/** The client's side of one authorization request, up to its redirect URI. */
export interface FlowAuthorization {
  /** What came back to the client's redirect URI (`code` or `error`, `state`, `iss`). */
  readonly params: URLSearchParams
  readonly clientId: string
  /** The PKCE verifier (RFC 7636 §4.1) of the request. */
  readonly verifier: string
  /** Every URL the browser requested, without query strings. */
  readonly trace: readonly string[]
}

/** The user context as the guarded route serializes it (the upstream token is not in it). */
export type FlowUser = Omit<UserContext, 'upstreamToken'>

/** What the guarded `GET /mcp` answered. */
export interface FlowWhoami {
  readonly status: number
  /** The caller, on a 200. */
  readonly user?: FlowUser
  /** The upstream token, which the route itself can read, on a 200. */
  readonly upstream?: string
}

/** A running login flow: our server with the provider under test, seen from an MCP client. */
export interface ProviderFlow {
  readonly app: FastifyInstance
  /** Where the MCP client reaches our server. */
  readonly baseUrl: string
  /**
   * Registers a public client (RFC 7591) and walks the browser from `/authorize` through our
   * consent and the upstream back to the client's redirect URI. With `expectRoundTrip`, asserts
   * that the browser passed the upstream's authorization endpoint and the client's state came back.
   */
  authorize(options?: { readonly expectRoundTrip?: boolean }): Promise<FlowAuthorization>
  /** A complete sign-in: `authorize` with its round trip checked, then the code for tokens (RFC 6749 §4.1.3). */
  signIn(): Promise<{ readonly accessToken: string; readonly clientId: string }>
  /** `GET /mcp` with the bearer token (RFC 6750 §2.1). */
  whoami(accessToken: string): Promise<FlowWhoami>
  /** `GET /mcp` with the bearer token; asserts the guard let it through (200) and returns the caller. */
  userFor(accessToken: string): Promise<{ readonly user: FlowUser; readonly upstream?: string }>
  /**
   * Signs in, lets time pass (`elapse`, past the upstream token's lifetime and our user cache),
   * and calls the guarded route again: asserts that it still answers 200 and that exactly one
   * more refresh request reached the upstream, as `refreshes` counts them. Returns that answer.
   */
  assertRefreshedAfter(elapse: () => void, refreshes: () => number): Promise<FlowWhoami>
  /**
   * With the user cancelling at the upstream (its `denyConsent` switch, on for this one login):
   * the client gets `error=access_denied`, no code, and its own state back (RFC 6749 §4.1.2.1).
   */
  assertDeniedUpstream(upstream: { denyConsent: boolean }): Promise<void>
  close(): Promise<void>
}

/**
 * Starts our server (`mxcpAuth` plus a guarded `GET /mcp` answering `{ user, upstream }`) with the
 * provider under test, for full-flow tests of a provider package: register → authorize → our
 * consent → the upstream → our callback → token → guarded route. The upstream itself (a loopback
 * stand-in) is the test's own.
 */
export async function startProviderFlow(options: ProviderFlowOptions): Promise<ProviderFlow> {
  const auth = validateAuthConfig(options.auth)
  const app = Fastify()
  await app.register(mxcpAuth, {
    auth,
    provider: options.provider(auth),
    clock: options.clock,
    ...(options.inject ? { urls: { baseUrl: options.inject.baseUrl } } : {}),
  })
  app.get('/mcp', { onRequest: app.mxcpGuard }, async (request) => {
    const user = requireUser(request)
    return { user, upstream: user.upstreamToken }
  })
  let baseUrl: string
  let send: typeof fetch
  if (options.inject) {
    await app.ready()
    baseUrl = options.inject.baseUrl
    send = options.inject.injectingFetch(app, baseUrl)
  } else {
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 })
    send = fetch
  }
  const resource = `${baseUrl}/mcp`

  async function authorize(checks: { readonly expectRoundTrip?: boolean } = {}): Promise<FlowAuthorization> {
    const registered = await send(`${baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Flow test',
        redirect_uris: [FLOW_CLIENT_REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
    })
    assert.equal(registered.status, 201)
    const clientId = String(field(await registered.json(), 'client_id'))
    const verifier = randomBytes(32).toString('base64url')
    const start = new URL('/authorize', baseUrl)
    start.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: FLOW_CLIENT_REDIRECT,
      code_challenge: sha256Base64Url(verifier),
      code_challenge_method: 'S256',
      state: FLOW_CLIENT_STATE,
      resource,
    }).toString()
    const { params, trace } = await new options.browser({ fetch: send }).run(start, {
      stopAt: FLOW_CLIENT_REDIRECT,
    })
    const authorization = { params, clientId, verifier, trace: trace.map((step) => step.url) }
    if (checks.expectRoundTrip) {
      assert.ok(
        authorization.trace.includes(options.upstream.authorizeUrl),
        `the browser went through ${options.upstream.name}`,
      )
      assert.equal(params.get('state'), FLOW_CLIENT_STATE)
    }
    return authorization
  }

  async function whoami(accessToken: string): Promise<FlowWhoami> {
    const response = await send(resource, { headers: { authorization: `Bearer ${accessToken}` } })
    if (response.status !== 200) {
      await response.body?.cancel()
      return { status: response.status }
    }
    const body: unknown = await response.json()
    const user = field(body, 'user')
    assert.ok(isFlowUser(user), 'the guarded route answers the user context')
    const upstream = field(body, 'upstream')
    return { status: 200, user, ...(typeof upstream === 'string' ? { upstream } : {}) }
  }

  async function signIn(): Promise<{ readonly accessToken: string; readonly clientId: string }> {
    const { params, clientId, verifier } = await authorize({ expectRoundTrip: true })
    const token = await send(`${baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: FLOW_CLIENT_REDIRECT,
        client_id: clientId,
        resource,
      }),
    })
    assert.equal(token.status, 200)
    return { accessToken: String(field(await token.json(), 'access_token')), clientId }
  }

  return {
    app,
    baseUrl,
    authorize,
    signIn,
    whoami,
    async userFor(accessToken) {
      const { status, user, upstream } = await whoami(accessToken)
      assert.equal(status, 200)
      assert.ok(user)
      return { user, ...(upstream === undefined ? {} : { upstream }) }
    },
    async assertRefreshedAfter(elapse, refreshes) {
      const { accessToken } = await signIn()
      const before = refreshes()
      elapse()
      const answer = await whoami(accessToken)
      assert.equal(answer.status, 200)
      assert.equal(refreshes(), before + 1)
      return answer
    },
    async assertDeniedUpstream(upstream) {
      upstream.denyConsent = true
      try {
        const { params } = await authorize()
        assert.equal(params.get('error'), 'access_denied')
        assert.equal(params.get('code'), null)
        assert.equal(params.get('state'), FLOW_CLIENT_STATE)
      } finally {
        upstream.denyConsent = false
      }
    },
    close: () => app.close(),
  }
}

/** The fields of the caller a full-flow test expects, in the order they are checked. */
export type ExpectedUser = Pick<FlowUser, 'provider' | 'userId' | 'username' | 'email' | 'name' | 'clientId'>

/** Asserts the caller's identity fields one by one: provider, user id, username, email, name, client. */
export function assertUserContext(user: FlowUser, expected: ExpectedUser): void {
  assert.equal(user.provider, expected.provider)
  assert.equal(user.userId, expected.userId)
  assert.equal(user.username, expected.username)
  assert.equal(user.email, expected.email)
  assert.equal(user.name, expected.name)
  assert.equal(user.clientId, expected.clientId)
}

/** A field of a JSON object, or undefined when the value is not an object. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined
}

function isFlowUser(value: unknown): value is FlowUser {
  return (
    typeof field(value, 'userId') === 'string' &&
    typeof field(value, 'username') === 'string' &&
    typeof field(value, 'provider') === 'string' &&
    typeof field(value, 'clientId') === 'string' &&
    Array.isArray(field(value, 'scopes')) &&
    typeof field(value, 'rawProfile') === 'object'
  )
}
