import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sha256 } from '../src/crypto.js'
import { Harness, RESOURCE, type TestClient } from './helpers/harness.js'

function refresh(
  h: Harness,
  client: TestClient,
  refreshToken: string | undefined,
  extra: Record<string, string | undefined> = {},
): Promise<LightMyRequestResponse> {
  return h.token({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    resource: RESOURCE,
    ...extra,
  })
}

function assertInvalid(response: LightMyRequestResponse, error: string): void {
  assert.equal(response.statusCode, error === 'invalid_client' ? 401 : 400, response.body)
  assert.equal(response.json().error, error)
  assert.equal(response.headers['cache-control'], 'no-store')
}

describe('POST /token: refresh_token', () => {
  let h: Harness

  before(async () => {
    h = await Harness.start({
      auth: {
        refresh_token_ttl: 86_400,
        // A pre-registered client with a second scope makes `mxcp:read` a supported scope.
        clients: [{ client_id: 'cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:read'] }],
        // …and every user is granted it.
        authorization: { default_scopes: ['mxcp:access', 'mxcp:read'] },
      },
    })
  })
  after(async () => {
    await h.close()
  })

  test('every refresh rotates the refresh token and issues a fresh access token in the same family', async () => {
    const issued = await h.issue()
    const response = await refresh(h, issued.client, issued.refreshToken)
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    assert.notEqual(body.refresh_token, issued.refreshToken)
    assert.notEqual(body.access_token, issued.accessToken)
    assert.equal((await h.call(body.access_token)).statusCode, 200)
    const before = await h.store.getToken(sha256(issued.accessToken))
    const after = await h.store.getToken(sha256(body.access_token))
    assert.equal(after?.familyId, before?.familyId)
    assert.equal(after?.sessionId, before?.sessionId)
  })

  test('reusing an old refresh token is invalid_grant and revokes the whole family', async () => {
    const issued = await h.issue()
    const rotated = (await refresh(h, issued.client, issued.refreshToken)).json()
    h.clock.advance(30_000) // past the grace window
    assertInvalid(await refresh(h, issued.client, issued.refreshToken), 'invalid_grant')
    assert.equal((await h.call(rotated.access_token)).statusCode, 401, 'the new access token is revoked')
    assert.equal((await h.call(issued.accessToken)).statusCode, 401)
    assertInvalid(await refresh(h, issued.client, rotated.refresh_token), 'invalid_grant')
  })

  test('a lost response is not a theft: a replay inside the grace window gets a working pair', async () => {
    const issued = await h.issue()
    const lost = (await refresh(h, issued.client, issued.refreshToken)).json()
    h.clock.advance(29_000)
    const retry = await refresh(h, issued.client, issued.refreshToken)
    assert.equal(retry.statusCode, 200)
    const pair = retry.json()
    assert.equal((await h.call(pair.access_token)).statusCode, 200)
    assert.equal(
      (await refresh(h, issued.client, pair.refresh_token)).statusCode,
      200,
      'the new refresh token works',
    )
    // The successor the client never received was superseded: presenting it now is reuse.
    assertInvalid(await refresh(h, issued.client, lost.refresh_token), 'invalid_grant')
    assert.equal((await h.call(pair.access_token)).statusCode, 401, 'and reuse revokes the family')
  })

  test('a replay after the successor was used revokes the family, even inside the grace window', async () => {
    const issued = await h.issue()
    const rotated = (await refresh(h, issued.client, issued.refreshToken)).json()
    const next = (await refresh(h, issued.client, rotated.refresh_token)).json()
    assertInvalid(await refresh(h, issued.client, issued.refreshToken), 'invalid_grant')
    assert.equal((await h.call(next.access_token)).statusCode, 401)
    assertInvalid(await refresh(h, issued.client, next.refresh_token), 'invalid_grant')
  })

  test('a replay inside the grace window by another client revokes the family', async () => {
    const issued = await h.issue()
    const rotated = (await refresh(h, issued.client, issued.refreshToken)).json()
    const thief = await h.register({ client_name: 'Thief' })
    assertInvalid(await refresh(h, thief, issued.refreshToken), 'invalid_grant')
    assertInvalid(await refresh(h, issued.client, rotated.refresh_token), 'invalid_grant')
  })

  test('refresh_grace_period: 0 makes every replay reuse', async () => {
    const strict = await Harness.start({ auth: { refresh_grace_period: 0 } })
    try {
      const issued = await strict.issue()
      const rotated = (await refresh(strict, issued.client, issued.refreshToken)).json()
      assertInvalid(await refresh(strict, issued.client, issued.refreshToken), 'invalid_grant')
      assert.equal((await strict.call(rotated.access_token)).statusCode, 401)
    } finally {
      await strict.close()
    }
  })

  test('a narrower scope may be requested; a wider one is invalid_scope and does not burn the token', async () => {
    const client = await h.register({ scope: 'mxcp:access mxcp:read' })
    const login = await h.login(client.clientId, { overrides: { scope: 'mxcp:access mxcp:read' } })
    const issued = (await h.redeem(client, login)).json()
    assert.equal(issued.scope, 'mxcp:access mxcp:read')
    const narrower = await refresh(h, client, issued.refresh_token, { scope: 'mxcp:access' })
    assert.equal(narrower.statusCode, 200)
    assert.equal(narrower.json().scope, 'mxcp:access')
    const next = narrower.json().refresh_token
    assertInvalid(await refresh(h, client, next, { scope: 'mxcp:access mxcp:read' }), 'invalid_scope')
    assert.equal((await refresh(h, client, next)).statusCode, 200, 'the refresh token still works')
  })

  test('a refresh token presented by another client is invalid_grant and stays usable by its owner', async () => {
    const issued = await h.issue()
    const thief = await h.register({ client_name: 'Thief' })
    assertInvalid(await refresh(h, thief, issued.refreshToken), 'invalid_grant')
    assert.equal((await refresh(h, issued.client, issued.refreshToken)).statusCode, 200)
  })

  test('a wrong resource is invalid_target', async () => {
    const issued = await h.issue()
    assertInvalid(
      await refresh(h, issued.client, issued.refreshToken, { resource: 'https://other.test/mcp' }),
      'invalid_target',
    )
  })

  test('a refresh token expires after refresh_token_ttl', async () => {
    const issued = await h.issue()
    h.clock.advance(86_400_000)
    assertInvalid(await refresh(h, issued.client, issued.refreshToken), 'invalid_grant')
  })

  test('an access token is not a refresh token', async () => {
    const issued = await h.issue()
    assertInvalid(await refresh(h, issued.client, issued.accessToken), 'invalid_grant')
  })

  test('a missing refresh_token is invalid_request', async () => {
    const issued = await h.issue()
    assertInvalid(await refresh(h, issued.client, undefined), 'invalid_request')
  })

  test('tokens never outlive the sign-in session', async () => {
    const issued = await h.issue()
    h.clock.advance(86_400_000 - 60_000)
    const late = (await refresh(h, issued.client, issued.refreshToken)).json()
    assert.equal(late.expires_in, 60, 'the access token is capped at the session end')
  })
})
