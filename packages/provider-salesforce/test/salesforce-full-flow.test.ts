import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type SalesforceStandIn, startSalesforceStandIn } from '@mxcp/testing/stand-ins/salesforce'
import Fastify, { type FastifyInstance } from 'fastify'
import { salesforce } from '../src/index.js'

const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Salesforce provider against
 * the Salesforce stand-in (login host + My Domain): register → authorize → consent → Salesforce →
 * callback → token → guarded route.
 */
describe('Salesforce through @mxcp/auth-core', () => {
  let standIn: SalesforceStandIn
  let app: FastifyInstance
  let base: string
  const clock = new FakeClock()

  before(async () => {
    standIn = await startSalesforceStandIn({ now: () => clock.now() })
    const auth = validateAuthConfig({
      provider: 'salesforce',
      salesforce: {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/services/oauth2/authorize`,
        token_url: `${standIn.url}/services/oauth2/token`,
      },
      // Our tokens outlive the org's two-hour sessions.
      access_token_ttl: 86_400,
    })
    app = Fastify()
    await app.register(mxcpAuth, { auth, provider: salesforce(auth.salesforce ?? {}, { clock }), clock })
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
      trace.some((step) => step.url === `${standIn.url}/services/oauth2/authorize`),
      'the browser went through Salesforce',
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

  test('a user who signs in with Salesforce reaches the guarded route with a Salesforce user context', async () => {
    const { accessToken, clientId } = await signIn()
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 200)
    const { user } = (await response.json()) as { user: UserContext }
    assert.equal(user.provider, 'salesforce')
    assert.equal(user.userId, '005xx000001SwiUAAS')
    assert.equal(user.username, 'jane.doe@acme.example')
    assert.equal(user.email, 'jane.doe@acme.example')
    assert.equal(user.name, 'Jane Doe')
    assert.equal(user.clientId, clientId)
    assert.equal(user.rawProfile['organization_id'], '00Dxx0000001gPLEAY')
    const userinfo = standIn.requestsTo('userinfo')
    assert.ok(
      userinfo.length > 0 && userinfo.every((request) => request.origin === standIn.instanceUrl),
      'user info came from the org host',
    )
  })

  test('with no expires_in, a session that timed out at Salesforce is found by user info and refreshed; the user stays signed in', async () => {
    const { accessToken } = await signIn()
    const refreshes = () =>
      standIn.requestsTo('token').filter((r) => r.body['grant_type'] === 'refresh_token').length
    const before = refreshes()
    // Past the org's session timeout and past our user cache, so the guard asks Salesforce again.
    clock.advance(2 * 3600_000 + 1)
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 200)
    assert.equal(refreshes(), before + 1)
    assert.equal(((await response.json()) as { user: UserContext }).user.username, 'jane.doe@acme.example')
  })

  test('when the user revokes the app at Salesforce, the guard ends the session (401)', async () => {
    const { accessToken } = await signIn()
    standIn.revokeAll()
    clock.advance(301_000)
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 401)
    await response.body?.cancel()
  })
})
