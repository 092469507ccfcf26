import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { FakeClock, mxcpAuth, sha256Base64Url, type UserContext, validateAuthConfig } from '@mxcp/auth-core'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type GitHubStandIn, startGitHubStandIn } from '@mxcp/testing/stand-ins/github'
import Fastify, { type FastifyInstance } from 'fastify'
import { github } from '../src/index.js'

const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real GitHub provider against the
 * GitHub stand-in: register → authorize → consent → GitHub → callback → token → guarded route.
 */
describe('GitHub through @mxcp/auth-core', () => {
  let standIn: GitHubStandIn
  let app: FastifyInstance
  let base: string
  const clock = new FakeClock()

  before(async () => {
    standIn = await startGitHubStandIn({ now: () => clock.now(), expiringTokens: true })
    const auth = validateAuthConfig({
      provider: 'github',
      github: {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        scope: 'user:email read:org',
        auth_url: `${standIn.url}/login/oauth/authorize`,
        token_url: `${standIn.url}/login/oauth/access_token`,
        api_url: standIn.apiUrl,
      },
      // Our tokens outlive GitHub's 8-hour ones, so the guard has to refresh upstream.
      access_token_ttl: 86_400,
    })
    app = Fastify()
    await app.register(mxcpAuth, { auth, provider: github(auth.github ?? {}, { clock }), clock })
    app.get('/mcp', { onRequest: app.mxcpGuard }, async (request) => ({
      user: request.user,
      upstream: request.user.upstreamToken,
    }))
    base = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await standIn.close()
  })

  /** Registers a client and runs the browser through consent and GitHub back to the client. */
  async function authorize(): Promise<{ params: URLSearchParams; verifier: string; clientId: string }> {
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
      trace.some((step) => step.url === `${standIn.url}/login/oauth/authorize`),
      'the browser went through GitHub',
    )
    assert.equal(params.get('state'), 'client-state')
    return { params, verifier, clientId }
  }

  async function signIn(): Promise<{ accessToken: string; clientId: string }> {
    const { params, verifier, clientId } = await authorize()
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

  test('a user who signs in with GitHub reaches the guarded route with a GitHub user context', async () => {
    const { accessToken, clientId } = await signIn()
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 200)
    const body = (await response.json()) as { user: UserContext; upstream?: string }
    assert.equal(body.user.provider, 'github')
    assert.equal(body.user.userId, '583231')
    assert.equal(body.user.username, 'octocat')
    assert.equal(body.user.email, 'octocat@github.com')
    assert.equal(body.user.name, 'The Octocat')
    assert.equal(body.user.clientId, clientId)
    assert.equal(body.user.rawProfile['login'], 'octocat')
    assert.match(String(body.upstream), /^ghu_/, 'the route itself can read the upstream token')
    assert.ok(
      !JSON.stringify(body.user).includes(String(body.upstream)),
      'the upstream token is not in the serialized user context',
    )
    const [tokenRequest] = standIn.requestsTo('token')
    assert.ok(tokenRequest?.body['code_verifier'], 'PKCE towards GitHub')
  })

  test('once the GitHub access token expires, the guard refreshes it (rotating the refresh token) and the user stays signed in', async () => {
    const { accessToken } = await signIn()
    const refreshesBefore = standIn
      .requestsTo('token')
      .filter((r) => r.body['grant_type'] === 'refresh_token').length
    clock.advance(8 * 3600_000 + 1)
    const response = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(response.status, 200)
    const refreshes = standIn
      .requestsTo('token')
      .filter((r) => r.body['grant_type'] === 'refresh_token').length
    assert.equal(refreshes, refreshesBefore + 1)
  })

  test('consent denied at GitHub reaches the client as access_denied, and no code is issued', async () => {
    standIn.denyConsent = true
    try {
      const { params } = await authorize()
      assert.equal(params.get('error'), 'access_denied')
      assert.equal(params.get('code'), null)
    } finally {
      standIn.heal()
    }
  })

  test('GitHub down at the code exchange reaches the client as temporarily_unavailable, and no code is issued', async () => {
    standIn.fail('token', 'server-error')
    try {
      const { params } = await authorize()
      assert.equal(params.get('error'), 'temporarily_unavailable')
      assert.equal(params.get('code'), null)
    } finally {
      standIn.heal()
    }
  })
})
