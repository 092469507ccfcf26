import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import Fastify, { type FastifyInstance } from 'fastify'
import { oidc } from '../src/index.js'

const BASE = 'https://mcp.test'
const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the generic OpenID Connect provider
 * against a certified OpenID provider (oidc-provider) found by discovery only: register →
 * authorize → our consent → the issuer (login, consent) → callback → token → guarded route.
 */
describe('a generic OpenID Connect issuer through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: OidcProviderStandIn
  let app: FastifyInstance
  let browserFetch: typeof fetch

  before(async () => {
    idp = await startOidcProviderStandIn({
      realm: 'default',
      clientId: '0oa1stand1n',
      redirectUris: [`${BASE}/oidc/callback`],
      user: { preferred_username: 'ada.lovelace@example.com' },
    })
    const auth = validateAuthConfig({
      provider: 'oidc',
      oidc: { client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer },
    })
    app = Fastify()
    await app.register(mxcpAuth, { auth, provider: oidc(auth.oidc ?? {}), clock, urls: { baseUrl: BASE } })
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
      'the browser went through the issuer',
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

  test('a user who signs in at the issuer reaches the guarded route with an OIDC user context', async () => {
    const { accessToken, clientId } = await signIn()
    const response = await whoami(accessToken)
    assert.equal(response.statusCode, 200)
    const { user, upstream }: { user: UserContext; upstream?: string } = response.json()
    assert.equal(user.provider, 'oidc')
    assert.equal(user.userId, idp.user.sub)
    assert.equal(user.username, 'ada.lovelace@example.com')
    assert.equal(user.email, 'ada@example.com')
    assert.equal(user.name, 'Ada Lovelace')
    assert.equal(user.clientId, clientId)
    assert.equal(user.rawProfile['sub'], idp.user.sub)
    assert.ok(upstream, 'the route itself can read the upstream token')
    assert.ok(
      !JSON.stringify(user).includes(upstream),
      'the upstream token is not in the serialized user context',
    )
    const initial = idp
      .requestsTo('authorize')
      .filter((request) => request.path.endsWith('/auth'))
      .at(-1)
    assert.equal(initial?.query['code_challenge_method'], 'S256', 'PKCE towards the issuer')
    assert.ok(initial?.query['nonce'], 'a nonce towards the issuer')
  })

  test('once the upstream access token expires, the guard refreshes it and the user stays signed in', async () => {
    const { accessToken } = await signIn()
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    const before = refreshes()
    // Past the issuer's 300 s token and our user cache; the provider itself keeps real time.
    clock.advance(600 * 1000)
    const response = await whoami(accessToken)
    assert.equal(response.statusCode, 200)
    assert.equal(refreshes(), before + 1)
  })

  test('a user who cancels at the issuer comes back to the client with access_denied and no code', async () => {
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
