import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import Fastify, { type FastifyInstance } from 'fastify'
import { keycloak } from '../src/index.js'

const BASE = 'https://mcp.test'
const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Keycloak provider against
 * oidc-provider dressed as a Keycloak realm: register → authorize → our consent → Keycloak
 * (login, consent) → callback → token → guarded route.
 */
describe('Keycloak through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: OidcProviderStandIn
  let app: FastifyInstance
  let browserFetch: typeof fetch

  before(async () => {
    idp = await startOidcProviderStandIn({
      realm: 'development',
      redirectUris: [`${BASE}/keycloak/callback`],
    })
    const auth = validateAuthConfig({
      provider: 'keycloak',
      keycloak: {
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        realm: idp.realm,
        server_url: idp.url,
        scope: 'openid profile email',
        callback_path: '/keycloak/callback',
      },
    })
    app = Fastify()
    await app.register(mxcpAuth, {
      auth,
      provider: keycloak(auth.keycloak ?? {}),
      clock,
      urls: { baseUrl: BASE },
    })
    app.get('/mcp', { onRequest: app.mxcpGuard }, async (request) => ({
      user: request.user,
      upstream: request.user.upstreamToken,
    }))
    await app.ready()
    browserFetch = injectingFetch(app, BASE)
  })
  after(async () => {
    await app.close()
    await idp.close()
  })

  async function post(
    path: string,
    body: string,
    type: string,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': type },
      payload: body,
    })
    const json: unknown = response.json()
    assert.ok(typeof json === 'object' && json !== null)
    return { status: response.statusCode, json: { ...json } }
  }

  async function authorize(): Promise<{
    params: URLSearchParams
    clientId: string
    verifier: string
    trace: string[]
  }> {
    const registered = await post(
      '/register',
      JSON.stringify({
        client_name: 'Flow test',
        redirect_uris: [CLIENT_REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
      'application/json',
    )
    assert.equal(registered.status, 201)
    const clientId = String(registered.json['client_id'])
    const verifier = randomBytes(32).toString('base64url')
    const url = new URL('/authorize', BASE)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: sha256Base64Url(verifier),
      code_challenge_method: 'S256',
      state: 'client-state',
      resource: `${BASE}/mcp`,
    }).toString()
    const { params, trace } = await new HeadlessBrowser({ fetch: browserFetch }).run(url, {
      stopAt: CLIENT_REDIRECT,
    })
    return { params, clientId, verifier, trace: trace.map((step) => step.url) }
  }

  async function signIn(): Promise<{ accessToken: string; clientId: string }> {
    const { params, clientId, verifier, trace } = await authorize()
    assert.ok(
      trace.includes(`${idp.issuer}/protocol/openid-connect/auth`),
      'the browser went through the realm',
    )
    assert.equal(params.get('state'), 'client-state')
    const token = await post(
      '/token',
      new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: CLIENT_REDIRECT,
        client_id: clientId,
        resource: `${BASE}/mcp`,
      }).toString(),
      'application/x-www-form-urlencoded',
    )
    assert.equal(token.status, 200)
    return { accessToken: String(token.json['access_token']), clientId }
  }

  function whoami(accessToken: string) {
    return app.inject({ method: 'GET', url: '/mcp', headers: { authorization: `Bearer ${accessToken}` } })
  }

  test('a user who signs in with Keycloak reaches the guarded route with a Keycloak user context', async () => {
    const { accessToken, clientId } = await signIn()
    const response = await whoami(accessToken)
    assert.equal(response.statusCode, 200)
    const { user, upstream }: { user: UserContext; upstream?: string } = response.json()
    assert.equal(user.provider, 'keycloak')
    assert.equal(user.userId, idp.user.sub)
    assert.equal(user.username, 'ada')
    assert.equal(user.email, 'ada@example.com')
    assert.equal(user.name, 'Ada Lovelace')
    assert.equal(user.clientId, clientId)
    assert.equal(user.rawProfile['preferred_username'], 'ada')
    assert.ok(upstream, 'the route itself can read the Keycloak token')
    assert.ok(
      !JSON.stringify(user).includes(upstream),
      'the Keycloak token is not in the serialized user context',
    )
    const initial = idp
      .requestsTo('authorize')
      .filter((request) => request.path.endsWith('/auth'))
      .at(-1)
    assert.equal(initial?.query['code_challenge_method'], 'S256', 'PKCE towards Keycloak')
    assert.ok(initial?.query['nonce'], 'a nonce towards Keycloak')
  })

  test('once the Keycloak access token expires, the guard refreshes it and the user stays signed in', async () => {
    const { accessToken } = await signIn()
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    const before = refreshes()
    // Past the 300 s Keycloak token and our user cache; the provider itself keeps real time.
    clock.advance(600 * 1000)
    const response = await whoami(accessToken)
    assert.equal(response.statusCode, 200)
    assert.equal(refreshes(), before + 1)
  })

  test('a user who cancels at Keycloak comes back to the client with access_denied and no code', async () => {
    idp.denyConsent = true
    try {
      const { params } = await authorize()
      assert.equal(params.get('error'), 'access_denied')
      assert.equal(params.get('code'), null)
      assert.equal(params.get('state'), 'client-state')
    } finally {
      idp.denyConsent = false
    }
  })
})
