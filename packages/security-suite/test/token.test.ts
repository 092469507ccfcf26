import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  AttackHarness,
  assertBearerChallenge,
  assertNothingIssued,
  assertOAuthError,
  CLIENT_REDIRECT,
  type CompletedLogin,
  formBody,
  type RegisteredClient,
} from '../src/index.js'

const basic = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

/**
 * `/token` (RFC 6749 §4.1.3, §5.2, §6, §10.5; RFC 7636 §4.6; RFC 9700 §2.1.1, §4.5, §4.14;
 * RFC 8707 §2.2; OAuth 2.1 §2.4, §4.3.1): every refusal is an RFC 6749 §5.2 error, and a refused
 * request issues nothing.
 */
describe('token', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let other: RegisteredClient
  let confidential: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({
      auth: { clients: [{ client_id: 'operator-cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:read'] }] },
    })
    client = await h.register({ client_name: 'Client A', scope: 'mxcp:access mxcp:read' })
    other = await h.register({ client_name: 'Client B' })
    confidential = await h.register({
      client_name: 'Confidential',
      token_endpoint_auth_method: 'client_secret_post',
    })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  /** A fresh login for `who`, store and upstream records cleared afterwards. */
  async function freshLogin(who: RegisteredClient = client, overrides = {}): Promise<CompletedLogin> {
    const login = await h.login(who.clientId, { overrides })
    h.reset()
    return login
  }

  function issuedNothing(): void {
    assertNothingIssued(h)
  }

  test('a replayed code is refused with invalid_grant and revokes every token it issued', async () => {
    const login = await freshLogin()
    const first = await h.redeem(client, login)
    assert.equal(first.statusCode, 200)
    const { access_token: access, refresh_token: refresh } = first.json<Record<string, string>>()
    h.reset()
    h.clock.advance(30_000) // past the lost-response window (refresh_grace_period)
    assertOAuthError(await h.redeem(client, login), 400, 'invalid_grant')
    issuedNothing()
    assertBearerChallenge(await h.call(access), 401, 'invalid_token')
    assertOAuthError(await h.refresh(client, refresh ?? ''), 400, 'invalid_grant')
  })

  test('a code redeemed by many requests at once issues tokens at most twice (one lost-response retry), and all are revoked', async () => {
    const login = await freshLogin()
    const answers = await Promise.all(Array.from({ length: 6 }, () => h.redeem(client, login)))
    const winners = answers.filter((answer) => answer.statusCode === 200)
    assert.ok(winners.length >= 1 && winners.length <= 2, `${winners.length} redemptions won`)
    for (const loser of answers.filter((answer) => answer.statusCode !== 200))
      assertOAuthError(loser, 400, 'invalid_grant')
    for (const winner of winners)
      assertBearerChallenge(
        await h.call(winner.json<Record<string, string>>()['access_token']),
        401,
        'invalid_token',
      )
  })

  test('a code replayed by its client with its verifier inside the grace window is a lost response: new tokens once, the undelivered ones revoked', async () => {
    const login = await freshLogin()
    const lost = (await h.redeem(client, login)).json<Record<string, string>>()
    const retry = await h.redeem(client, login)
    assert.equal(retry.statusCode, 200)
    const kept = retry.json<Record<string, string>>()
    assert.equal((await h.call(kept['access_token'])).statusCode, 200)
    assertBearerChallenge(await h.call(lost['access_token']), 401, 'invalid_token')
    assertOAuthError(await h.redeem(client, login), 400, 'invalid_grant')
    assertBearerChallenge(await h.call(kept['access_token']), 401, 'invalid_token')
  })

  test('an expired code is refused with invalid_grant; nothing is issued', async () => {
    const login = await freshLogin()
    h.clock.advance(60_000 + 1)
    assertOAuthError(await h.redeem(client, login), 400, 'invalid_grant')
    issuedNothing()
  })

  test('a wrong code_verifier is refused with invalid_grant; nothing is issued (RFC 7636 §4.6)', async () => {
    for (const verifier of ['A'.repeat(43), 'too-short', `${'A'.repeat(128)}A`]) {
      const login = await freshLogin()
      assertOAuthError(await h.redeem(client, login, { code_verifier: verifier }), 400, 'invalid_grant')
    }
    const login = await freshLogin()
    // The challenge itself is not the verifier.
    const challenge = new URL(h.authorizeUrl(client.clientId).url).searchParams.get('code_challenge') ?? ''
    assertOAuthError(await h.redeem(client, login, { code_verifier: challenge }), 400, 'invalid_grant')
    issuedNothing()
  })

  test('a missing code_verifier is refused with invalid_request; nothing is issued', async () => {
    const login = await freshLogin()
    assertOAuthError(await h.redeem(client, login, { code_verifier: undefined }), 400, 'invalid_request')
    issuedNothing()
  })

  test('a redirect_uri that differs from the authorization request is refused with invalid_grant', async () => {
    for (const redirectUri of [
      'http://127.0.0.1:9000/callback',
      'http://127.0.0.1:8999/callback/',
      'https://evil.example/cb',
    ]) {
      const login = await freshLogin()
      assertOAuthError(await h.redeem(client, login, { redirect_uri: redirectUri }), 400, 'invalid_grant')
    }
    const login = await freshLogin()
    assertOAuthError(await h.redeem(client, login, { redirect_uri: undefined }), 400, 'invalid_request')
    issuedNothing()
  })

  test("another client's code is refused with invalid_grant; nothing is issued", async () => {
    const login = await freshLogin(client)
    assertOAuthError(await h.redeem(other, login), 400, 'invalid_grant')
    issuedNothing()
  })

  test('a code redeemed for another resource is refused with invalid_target (RFC 8707 §2.2)', async () => {
    const login = await freshLogin()
    assertOAuthError(
      await h.redeem(client, login, { resource: 'https://evil.example/mcp' }),
      400,
      'invalid_target',
    )
    issuedNothing()
  })

  test('a wrong client secret is refused with 401 invalid_client and a WWW-Authenticate challenge', async () => {
    const login = await freshLogin(confidential)
    const post = await h.redeem(confidential, login, { client_secret: 'mxcp_cs_wrong' })
    assertOAuthError(post, 401, 'invalid_client')
    assert.ok(post.headers['www-authenticate'], 'a 401 carries a challenge (RFC 9110 §15.5.2)')
    const viaBasic = await h.token(
      {
        grant_type: 'authorization_code',
        code: login.code,
        code_verifier: login.verifier,
        redirect_uri: CLIENT_REDIRECT,
      },
      { authorization: basic(confidential.clientId, 'mxcp_cs_wrong') },
    )
    assertOAuthError(viaBasic, 401, 'invalid_client')
    assert.match(String(viaBasic.headers['www-authenticate']), /^Basic /)
    issuedNothing()
  })

  test('a confidential client without its secret, or a public client with one, is refused with 401 invalid_client', async () => {
    const login = await freshLogin(confidential)
    assertOAuthError(await h.redeem(confidential, login, { client_secret: undefined }), 401, 'invalid_client')
    const publicLogin = await freshLogin(client)
    assertOAuthError(
      await h.redeem(client, publicLogin, { client_secret: 'anything' }),
      401,
      'invalid_client',
    )
    assertOAuthError(
      await h.redeem(client, publicLogin, { client_id: 'no-such-client' }),
      401,
      'invalid_client',
    )
    issuedNothing()
  })

  test('two client authentication methods at once are refused with invalid_request (OAuth 2.1 §2.4)', async () => {
    const login = await freshLogin(confidential)
    const response = await h.token(
      {
        grant_type: 'authorization_code',
        code: login.code,
        code_verifier: login.verifier,
        redirect_uri: CLIENT_REDIRECT,
        client_id: confidential.clientId,
        client_secret: confidential.clientSecret,
      },
      { authorization: basic(confidential.clientId, confidential.clientSecret ?? '') },
    )
    assertOAuthError(response, 400, 'invalid_request')
    issuedNothing()
  })

  test('unsupported grant types are refused with unsupported_grant_type', async () => {
    for (const grantType of [
      'password',
      'client_credentials',
      'implicit',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:token-exchange',
      '__proto__',
      'constructor',
    ]) {
      const response = await h.token({
        grant_type: grantType,
        client_id: client.clientId,
        username: 'octocat',
        password: 'hunter2',
      })
      assertOAuthError(response, 400, 'unsupported_grant_type')
    }
    assertOAuthError(await h.token({ client_id: client.clientId }), 400, 'invalid_request')
    issuedNothing()
  })

  test('a client registered without refresh_token may not use that grant (unauthorized_client)', async () => {
    const noRefresh = await h.register({ grant_types: ['authorization_code'] })
    h.reset()
    const response = await h.token({
      grant_type: 'refresh_token',
      refresh_token: 'mxcp_rt_x',
      client_id: noRefresh.clientId,
    })
    assertOAuthError(response, 400, 'unauthorized_client')
    issuedNothing()
  })

  test('a reused refresh token is refused and revokes its whole family (RFC 9700 §4.14.2)', async () => {
    const tokens = await h.issue(client)
    const rotated = await h.refresh(client, tokens.refreshToken)
    assert.equal(rotated.statusCode, 200)
    const next = rotated.json<Record<string, string>>()
    h.reset()
    h.clock.advance(30_000) // past the lost-response window (refresh_grace_period)
    assertOAuthError(await h.refresh(client, tokens.refreshToken), 400, 'invalid_grant')
    issuedNothing()
    assertBearerChallenge(await h.call(next['access_token']), 401, 'invalid_token')
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
    assertOAuthError(await h.refresh(client, next['refresh_token'] ?? ''), 400, 'invalid_grant')
  })

  test('a refresh token used by many requests at once rotates at most twice (one lost-response retry), and the family is then revoked', async () => {
    const tokens = await h.issue(client)
    const answers = await Promise.all(Array.from({ length: 6 }, () => h.refresh(client, tokens.refreshToken)))
    const winners = answers.filter((answer) => answer.statusCode === 200)
    assert.ok(winners.length >= 1 && winners.length <= 2, `${winners.length} refreshes won`)
    for (const winner of winners)
      assertBearerChallenge(
        await h.call(winner.json<Record<string, string>>()['access_token']),
        401,
        'invalid_token',
      )
  })

  test('a refresh token replayed inside the grace window while its successor is unused gets a working pair once; the successor is then reuse', async () => {
    const tokens = await h.issue(client)
    const lost = (await h.refresh(client, tokens.refreshToken)).json<Record<string, string>>()
    const retry = await h.refresh(client, tokens.refreshToken)
    assert.equal(retry.statusCode, 200)
    const kept = retry.json<Record<string, string>>()
    assert.equal((await h.call(kept['access_token'])).statusCode, 200)
    assertOAuthError(await h.refresh(client, lost['refresh_token'] ?? ''), 400, 'invalid_grant')
    assertBearerChallenge(await h.call(kept['access_token']), 401, 'invalid_token')
  })

  test('a refresh for a wider scope is refused with invalid_scope, and the refresh token survives', async () => {
    const login = await h.login(client.clientId, { overrides: { scope: 'mxcp:access' } })
    const tokens = (await h.redeem(client, login)).json<Record<string, string>>()
    h.reset()
    const wider = await h.refresh(client, tokens['refresh_token'] ?? '', { scope: 'mxcp:access mxcp:read' })
    assertOAuthError(wider, 400, 'invalid_scope')
    issuedNothing()
    assert.equal((await h.refresh(client, tokens['refresh_token'] ?? '')).statusCode, 200)
  })

  test('a refresh for another resource is refused with invalid_target, and the refresh token survives', async () => {
    const tokens = await h.issue(client)
    h.reset()
    const elsewhere = await h.refresh(client, tokens.refreshToken, { resource: 'https://evil.example/mcp' })
    assertOAuthError(elsewhere, 400, 'invalid_target')
    issuedNothing()
    assert.equal((await h.refresh(client, tokens.refreshToken)).statusCode, 200)
  })

  test("another client's refresh token is refused with invalid_grant, and not burned", async () => {
    const tokens = await h.issue(client)
    h.reset()
    assertOAuthError(await h.refresh(other, tokens.refreshToken), 400, 'invalid_grant')
    issuedNothing()
    assert.equal((await h.refresh(client, tokens.refreshToken)).statusCode, 200)
  })

  test('an expired refresh token is refused with invalid_grant', async () => {
    const tokens = await h.issue(client)
    h.clock.advance(2_592_000_000 + 1)
    h.reset()
    assertOAuthError(await h.refresh(client, tokens.refreshToken), 400, 'invalid_grant')
    issuedNothing()
  })

  test('an access token or a code is not a refresh token', async () => {
    const tokens = await h.issue(client)
    const login = await freshLogin()
    for (const wrong of [tokens.accessToken, login.code, 'mxcp_rt_forged']) {
      assertOAuthError(await h.refresh(client, wrong), 400, 'invalid_grant')
    }
    issuedNothing()
  })

  test('the token endpoint takes form body parameters only, each at most once (RFC 6749 §3.2, §3.1)', async () => {
    const login = await freshLogin()
    const fields = {
      grant_type: 'authorization_code',
      code: login.code,
      code_verifier: login.verifier,
      redirect_uri: CLIENT_REDIRECT,
      client_id: client.clientId,
    }
    const json = await h.inject('POST', '/token', {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(fields),
    })
    assertOAuthError(json, 400, 'invalid_request')
    const inQuery = await h.inject('POST', `/token?${formBody(fields)}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    })
    // Parameters in the query string are not read: without a client_id in the body, nobody is authenticated.
    assertOAuthError(inQuery, 401, 'invalid_client')
    const repeated = await h.inject('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${formBody(fields)}&code=${encodeURIComponent(login.code)}`,
    })
    assertOAuthError(repeated, 400, 'invalid_request')
    issuedNothing()
  })
})
