import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type AtlassianStandIn, startAtlassianStandIn } from '@mxcp/testing/stand-ins/atlassian'
import Fastify, { type FastifyInstance } from 'fastify'
import { atlassian } from '../src/index.js'

const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Atlassian provider against
 * the Atlassian stand-in: register → authorize → consent → Atlassian → callback → token → guarded route.
 */
describe('Atlassian through @mxcp/auth-core', () => {
  let standIn: AtlassianStandIn
  let app: FastifyInstance
  let base: string
  const clock = new FakeClock()

  before(async () => {
    standIn = await startAtlassianStandIn({ now: () => clock.now() })
    const auth = validateAuthConfig({
      provider: 'atlassian',
      atlassian: {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/authorize`,
        token_url: `${standIn.url}/oauth/token`,
        userinfo_url: `${standIn.url}/me`,
      },
      // Our tokens outlive Atlassian's one-hour ones, so the guard has to refresh upstream.
      access_token_ttl: 86_400,
    })
    app = Fastify()
    await app.register(mxcpAuth, { auth, provider: atlassian(auth.atlassian ?? {}, { clock }), clock })
    app.get('/mcp', { onRequest: app.mxcpGuard }, async (request) => ({ user: request.user }))
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await standIn.close()
  })

  async function signIn(): Promise<{ accessToken: string; clientId: string }> {
    const registered = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Flow test',
        redirect_uris: [CLIENT_REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
    })
    assert.equal(registered.status, 201)
    const clientId = String(((await registered.json()) as Record<string, unknown>)['client_id'])
    const verifier = randomBytes(32).toString('base64url')
    const authorize = new URL('/authorize', base)
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: sha256Base64Url(verifier),
      code_challenge_method: 'S256',
      state: 'client-state',
      resource: `${base}/mcp`,
    }).toString()
    const { params, trace } = await new HeadlessBrowser().run(authorize, { stopAt: CLIENT_REDIRECT })
    assert.ok(
      trace.some((step) => step.url === `${standIn.url}/authorize`),
      'the browser went through Atlassian',
    )
    assert.equal(params.get('state'), 'client-state')
    const token = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: params.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: CLIENT_REDIRECT,
        client_id: clientId,
        resource: `${base}/mcp`,
      }),
    })
    assert.equal(token.status, 200)
    return {
      accessToken: String(((await token.json()) as Record<string, unknown>)['access_token']),
      clientId,
    }
  }

  test('a user who signs in with Atlassian reaches the guarded route with an Atlassian user context', async () => {
    const { accessToken, clientId } = await signIn()
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 200)
    const { user } = (await response.json()) as { user: UserContext }
    assert.equal(user.provider, 'atlassian')
    assert.equal(user.userId, '5b10ac8d82e05b22cc7d4ef5')
    assert.equal(user.username, 'mkrystof')
    assert.equal(user.email, 'mia@example.com')
    assert.equal(user.name, 'Mia Krystof')
    assert.equal(user.clientId, clientId)
    assert.equal(user.rawProfile['account_type'], 'atlassian')
    const [authorizeRequest] = standIn.requestsTo('authorize')
    assert.equal(authorizeRequest?.query['audience'], 'api.atlassian.com')
    assert.equal(authorizeRequest?.query['prompt'], 'consent')
    assert.match(String(standIn.requestsTo('token')[0]?.headers['content-type']), /^application\/json/)
  })

  test('once the Atlassian access token expires, the guard refreshes it with the rotating refresh token', async () => {
    const { accessToken } = await signIn()
    const refreshes = () =>
      standIn.requestsTo('token').filter((r) => r.body['grant_type'] === 'refresh_token').length
    const before = refreshes()
    clock.advance(3600_000 + 1)
    assert.equal(
      (await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })).status,
      200,
    )
    assert.equal(refreshes(), before + 1)
  })
})
