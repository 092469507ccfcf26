import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sha256 } from '../src/crypto.js'
import { form, Harness, RESOURCE, type TestClient } from './helpers/harness.js'

describe('POST /revoke (RFC 7009)', () => {
  let h: Harness
  before(async () => {
    h = await Harness.start()
  })
  after(async () => {
    await h.close()
  })

  const revoke = (
    client: TestClient | undefined,
    params: Record<string, string | undefined>,
  ): Promise<LightMyRequestResponse> =>
    h.app.inject({
      method: 'POST',
      url: '/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ client_id: client?.clientId, client_secret: client?.clientSecret, ...params }),
    })

  test('revoking an access token ends only that token', async () => {
    const issued = await h.issue()
    const response = await revoke(issued.client, {
      token: issued.accessToken,
      token_type_hint: 'access_token',
    })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal((await h.call(issued.accessToken)).statusCode, 401)
    const refreshed = await h.token({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
      client_id: issued.client.clientId,
      resource: RESOURCE,
    })
    assert.equal(refreshed.statusCode, 200, 'the refresh token still works')
  })

  test('revoking a refresh token revokes its family, ends the session and revokes upstream', async () => {
    const issued = await h.issue()
    const sessionId = (await h.store.getToken(sha256(issued.accessToken)))?.sessionId ?? ''
    h.idp.resetRecords()
    const response = await revoke(issued.client, { token: issued.refreshToken })
    assert.equal(response.statusCode, 200)
    assert.equal((await h.call(issued.accessToken)).statusCode, 401)
    assert.equal(await h.store.getSession(sessionId), undefined)
    assert.equal(h.idp.calls('revoke'), 1)
  })

  test('an unknown token gets 200 and nothing happens', async () => {
    const issued = await h.issue()
    assert.equal((await revoke(issued.client, { token: 'mxcp_at_unknown' })).statusCode, 200)
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
  })

  test("another client's token gets 200 and is not revoked", async () => {
    const issued = await h.issue()
    const other = await h.register({ client_name: 'Other' })
    assert.equal((await revoke(other, { token: issued.accessToken })).statusCode, 200)
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
  })

  test('a missing token is invalid_request; an unknown client is invalid_client', async () => {
    const client = await h.register()
    const missing = await revoke(client, {})
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json().error, 'invalid_request')
    const unknown = await revoke(undefined, { token: 'x', client_id: 'nobody' })
    assert.equal(unknown.statusCode, 401)
    assert.equal(unknown.json().error, 'invalid_client')
    assert.equal(unknown.headers['cache-control'], 'no-store')
  })

  test('an upstream revocation failure does not fail the request', async () => {
    const issued = await h.issue()
    h.idp.fail('revoke', 'server-error', 1)
    assert.equal((await revoke(issued.client, { token: issued.refreshToken })).statusCode, 200)
    assert.equal((await h.call(issued.accessToken)).statusCode, 401)
  })
})
