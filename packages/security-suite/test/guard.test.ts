import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { ACCESS_TOKEN_PREFIX, randomToken, sha256 } from '@mxcp/auth-core/testing'
import {
  AttackHarness,
  assertBearerChallenge,
  formBody,
  type IssuedTokens,
  type RegisteredClient,
} from '../src/index.js'

/**
 * The bearer guard on `/mcp` (RFC 6750 §2, §3.1; RFC 9728 §5.1; RFC 8707; MCP authorization
 * §"Token Handling", MCP security best practices "Token passthrough"): only our own, live,
 * unexpired tokens for this resource, from the Authorization header, pass.
 */
describe('guard', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let tokens: IssuedTokens

  before(async () => {
    h = await AttackHarness.start()
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(async () => {
    tokens = await h.issue(client)
    h.reset()
  })

  test('a request without a token is 401 with the resource metadata challenge and no error code', async () => {
    assertBearerChallenge(await h.call(), 401, undefined)
    assertBearerChallenge(
      await h.call(undefined, { headers: { authorization: `Basic ${btoa('a:b')}` } }),
      401,
      undefined,
    )
  })

  test('a live token passes (the control case)', async () => {
    const response = await h.call(tokens.accessToken)
    assert.equal(response.statusCode, 200)
    assert.equal(response.json<Record<string, unknown>>()['username'], 'octocat')
  })

  test('an expired access token is 401 invalid_token', async () => {
    h.clock.advance(3600_000 + 1)
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
  })

  test('a revoked access token is 401 invalid_token at once', async () => {
    const revoked = await h.revoke({ token: tokens.accessToken, client_id: client.clientId })
    assert.equal(revoked.statusCode, 200)
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
  })

  test('a token issued for another resource (audience) is 401 invalid_token (RFC 8707)', async () => {
    const now = h.clock.now()
    const foreign = randomToken(ACCESS_TOKEN_PREFIX)
    const live = await h.store.getToken(sha256(tokens.accessToken))
    assert.ok(live)
    await h.store.saveTokens([
      { ...live, tokenHash: sha256(foreign), resource: 'https://other.example/mcp', createdAt: now },
    ])
    assertBearerChallenge(await h.call(foreign), 401, 'invalid_token')
  })

  test("the provider's own token is 401 invalid_token: no token passthrough", async () => {
    const token = await h.store.getToken(sha256(tokens.accessToken))
    const session = await h.store.getSession(token?.sessionId ?? '')
    const upstream = session?.upstream.accessToken
    assert.match(upstream ?? '', /^gho_/, 'a GitHub token exists for this session')
    assertBearerChallenge(await h.call(upstream), 401, 'invalid_token')
  })

  test('a refresh token or an authorization code is not an access token', async () => {
    assertBearerChallenge(await h.call(tokens.refreshToken), 401, 'invalid_token')
    const login = await h.login(client.clientId)
    assertBearerChallenge(await h.call(login.code), 401, 'invalid_token')
  })

  test('a forged token with our prefix is 401 invalid_token', async () => {
    assertBearerChallenge(await h.call(randomToken(ACCESS_TOKEN_PREFIX)), 401, 'invalid_token')
    assertBearerChallenge(await h.call(`${tokens.accessToken}x`), 401, 'invalid_token')
  })

  test('a token in the query string is refused with 401, even a valid one (RFC 6750 §2.3)', async () => {
    const query = await h.call(undefined, {
      url: `/mcp?access_token=${encodeURIComponent(tokens.accessToken)}`,
    })
    assertBearerChallenge(query, 401, 'invalid_request')
    const both = await h.call(tokens.accessToken, {
      url: `/mcp?access_token=${encodeURIComponent(tokens.accessToken)}`,
    })
    assertBearerChallenge(both, 401, 'invalid_request')
  })

  test('a token in a form body is not read (RFC 6750 §2.2 is not supported)', async () => {
    const response = await h.inject('POST', '/mcp', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ access_token: tokens.accessToken }),
    })
    assertBearerChallenge(response, 401, undefined)
  })

  test('a malformed Authorization header is 401', async () => {
    for (const header of [
      'Bearer',
      'Bearer ',
      `Bearer ${tokens.accessToken} extra`,
      `Bearer "${tokens.accessToken}"`,
    ]) {
      const response = await h.call(undefined, { headers: { authorization: header } })
      assert.equal(response.statusCode, 401, header)
    }
  })

  test('a token whose session ended (refresh token revoked) is 401 invalid_token', async () => {
    const revoked = await h.revoke({ token: tokens.refreshToken, client_id: client.clientId })
    assert.equal(revoked.statusCode, 200)
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
  })
})

describe('guard with required scopes', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start({
      auth: {
        // octocat (id 583231) is granted mxcp:admin; a client alone can grant nobody anything.
        authorization: {
          required_scopes: ['mxcp:admin'],
          scope_grants: { 'mxcp:admin': { users: ['583231'] } },
        },
        clients: [{ client_id: 'operator-cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:admin'] }],
      },
    })
  })
  after(() => h.close())

  test('a token without a required scope is 403 insufficient_scope naming the scope to ask for', async () => {
    const client = await h.register({ scope: 'mxcp:access mxcp:admin' })
    const login = await h.login(client.clientId, { overrides: { scope: 'mxcp:access' } })
    const tokens = (await h.redeem(client, login)).json<Record<string, string>>()
    const challenge = assertBearerChallenge(await h.call(tokens['access_token']), 403, 'insufficient_scope')
    assert.match(challenge, /scope="[^"]*mxcp:admin[^"]*"/)
  })

  test('a token with the required scope (granted to its user) passes', async () => {
    const client = await h.register({ scope: 'mxcp:access mxcp:admin' })
    const login = await h.login(client.clientId, { overrides: { scope: 'mxcp:access mxcp:admin' } })
    const tokens = (await h.redeem(client, login)).json<Record<string, string>>()
    assert.equal((await h.call(tokens['access_token'])).statusCode, 200)
  })
})
