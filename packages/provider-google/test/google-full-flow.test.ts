import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type GoogleStandIn, startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import Fastify, { type FastifyInstance } from 'fastify'
import { google } from '../src/index.js'

const BASE = 'https://mcp.test'
const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Google provider against the
 * Google stand-in: register → authorize → our consent → Google → callback → token → guarded
 * route. Our app is reached through `app.inject()`; Google is a loopback server.
 */
describe('Google through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: GoogleStandIn
  let app: FastifyInstance
  let browserFetch: typeof fetch

  before(async () => {
    idp = await startGoogleStandIn({ now: () => clock.now(), redirectUris: [`${BASE}/google/callback`] })
    const auth = validateAuthConfig({
      provider: 'google',
      google: {
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        scope: 'openid profile email',
        ...idp.endpoints,
      },
      // Our tokens outlive Google's one-hour ones, so the guard has to refresh upstream.
      access_token_ttl: 86_400,
    })
    app = Fastify()
    await app.register(mxcpAuth, {
      auth,
      provider: google(auth.google ?? {}),
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
    assert.ok(trace.includes(idp.endpoints.auth_url), 'the browser went through Google')
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

  async function whoami(
    accessToken: string,
  ): Promise<{ status: number; user?: UserContext; upstream?: string }> {
    const response = await app.inject({
      method: 'GET',
      url: '/mcp',
      headers: { authorization: `Bearer ${accessToken}` },
    })
    if (response.statusCode !== 200) return { status: response.statusCode }
    const body: { user: UserContext; upstream?: string } = response.json()
    return { status: 200, ...body }
  }

  test('a user who signs in with Google reaches the guarded route with a Google user context', async () => {
    const { accessToken, clientId } = await signIn()
    const { status, user, upstream } = await whoami(accessToken)
    assert.equal(status, 200)
    assert.ok(user)
    assert.equal(user.provider, 'google')
    assert.equal(user.userId, idp.user.sub)
    assert.equal(user.username, idp.user.email)
    assert.equal(user.email, idp.user.email)
    assert.equal(user.name, idp.user.name)
    assert.equal(user.clientId, clientId)
    assert.equal(user.rawProfile['sub'], idp.user.sub)
    assert.match(String(upstream), /^ya29\./, 'the route itself can read the Google token')
    assert.ok(
      !JSON.stringify(user).includes(String(upstream)),
      'the Google token is not in the serialized user context',
    )
    const authorizeRequest = idp.requestsTo('authorize').at(-1)
    assert.equal(authorizeRequest?.query['code_challenge_method'], 'S256', 'PKCE towards Google')
    assert.equal(authorizeRequest?.query['access_type'], 'offline')
    assert.ok(idp.requestsTo('token').at(-1)?.form?.['code_verifier'])
  })

  test('once the Google access token expires, the guard refreshes it and the user stays signed in', async () => {
    const { accessToken } = await signIn()
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    const before = refreshes()
    // Past the 3599 s Google token (with room for a slow machine) and our user cache.
    clock.advance(2 * 3600 * 1000)
    const { status } = await whoami(accessToken)
    assert.equal(status, 200)
    assert.equal(refreshes(), before + 1)
  })

  test('a user who cancels at Google comes back to the client with access_denied and no code', async () => {
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
