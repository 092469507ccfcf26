import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  AttackHarness,
  assertBearerChallenge,
  assertNothingIssued,
  assertOAuthError,
  type RegisteredClient,
} from '../src/index.js'

/**
 * `/revoke` (RFC 7009 §2.1, §2.2; RFC 6819 §5.2.2.4): a client can revoke only its own tokens,
 * and an answer never tells a prober whether a token exists.
 */
describe('revoke', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let other: RegisteredClient
  let confidential: RegisteredClient

  before(async () => {
    h = await AttackHarness.start()
    client = await h.register({ client_name: 'Client A' })
    other = await h.register({ client_name: 'Client B' })
    confidential = await h.register({ token_endpoint_auth_method: 'client_secret_post' })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('an unknown token answers 200 and revokes nothing (RFC 7009 §2.2)', async () => {
    for (const token of ['mxcp_at_unknown', 'mxcp_rt_unknown', 'gho_notours', 'x']) {
      for (const hint of [undefined, 'access_token', 'refresh_token', 'unknown_hint']) {
        const response = await h.revoke({ token, token_type_hint: hint, client_id: client.clientId })
        assert.equal(response.statusCode, 200)
        assert.equal(response.body, '')
      }
    }
    assert.deepEqual(h.store.revoked(), [])
    assertNothingIssued(h)
  })

  test("another client's token is not revoked, and the answer is the same 200", async () => {
    const tokens = await h.issue(client)
    h.reset()
    for (const token of [tokens.accessToken, tokens.refreshToken]) {
      const response = await h.revoke({ token, client_id: other.clientId })
      assert.equal(response.statusCode, 200)
    }
    assert.deepEqual(h.store.revoked(), [])
    assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
    assert.equal((await h.refresh(client, tokens.refreshToken)).statusCode, 200)
  })

  test('revocation requires client authentication: a wrong secret is 401 invalid_client', async () => {
    const tokens = await h.issue(confidential)
    h.reset()
    const response = await h.revoke({
      token: tokens.accessToken,
      client_id: confidential.clientId,
      client_secret: 'mxcp_cs_wrong',
    })
    assertOAuthError(response, 401, 'invalid_client')
    assert.deepEqual(h.store.revoked(), [])
    assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
    const anonymous = await h.revoke({ token: tokens.accessToken })
    assertOAuthError(anonymous, 401, 'invalid_client')
  })

  test('revoking a refresh token ends the grant: its access tokens die too (RFC 7009 §2.1)', async () => {
    const tokens = await h.issue(client)
    const response = await h.revoke({
      token: tokens.refreshToken,
      token_type_hint: 'access_token',
      client_id: client.clientId,
    })
    assert.equal(response.statusCode, 200)
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
    assertOAuthError(await h.refresh(client, tokens.refreshToken), 400, 'invalid_grant')
  })

  test('revoking an access token ends only that token', async () => {
    const tokens = await h.issue(client)
    assert.equal((await h.revoke({ token: tokens.accessToken, client_id: client.clientId })).statusCode, 200)
    assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
    assert.equal((await h.refresh(client, tokens.refreshToken)).statusCode, 200)
  })

  test('a request without a token is invalid_request', async () => {
    assertOAuthError(await h.revoke({ client_id: client.clientId }), 400, 'invalid_request')
    assert.deepEqual(h.store.revoked(), [])
  })
})
