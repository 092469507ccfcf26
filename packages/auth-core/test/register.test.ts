import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sha256 } from '../src/crypto.js'
import { CLIENT_SECRET_PREFIX } from '../src/defaults.js'
import { MemoryStore } from '../src/index.js'
import { CLIENT_REDIRECT, Harness } from './helpers/harness.js'
import { type SpyStore, spyStore } from './helpers/spy-store.js'

describe('POST /register (RFC 7591)', () => {
  let h: Harness
  let store: SpyStore

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({
      store,
      auth: {
        authorization: {
          required_scopes: ['mxcp:access', 'mxcp:read'],
          default_scopes: ['mxcp:access', 'mxcp:read'],
        },
      },
    })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    store.reset()
  })

  const register = (
    payload: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    h.app.inject({ method: 'POST', url: '/register', payload: payload as Record<string, unknown>, headers })

  function assertRefused(response: LightMyRequestResponse, error: string, description?: RegExp): void {
    assert.equal(response.statusCode, 400, response.body)
    assert.equal(response.json().error, error)
    if (description) assert.match(response.json().error_description, description)
    assert.equal(store.count('saveClient'), 0, 'nothing was stored')
  }

  test('a public client is registered and its metadata echoed, redirect_uris included', async () => {
    const response = await register({
      client_name: 'Claude',
      redirect_uris: [CLIENT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'mxcp:access',
      software_id: 'claude-desktop',
      unknown_field: 'ignored',
    })
    assert.equal(response.statusCode, 201)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    assert.match(body.client_id, /^[0-9a-f-]{36}$/)
    assert.equal(body.client_secret, undefined)
    assert.equal(typeof body.client_id_issued_at, 'number')
    assert.deepEqual(body.redirect_uris, [CLIENT_REDIRECT])
    assert.deepEqual(body.grant_types, ['authorization_code', 'refresh_token'])
    assert.deepEqual(body.response_types, ['code'])
    assert.equal(body.token_endpoint_auth_method, 'none')
    assert.equal(body.client_name, 'Claude')
    assert.equal(body.scope, 'mxcp:access')
    assert.equal(body.software_id, 'claude-desktop')
    assert.equal(body.unknown_field, undefined, 'unknown metadata is ignored (§2)')
    assert.equal((await h.store.getClient(body.client_id))?.clientName, 'Claude')
  })

  test('a confidential client gets its secret once, stored only as a hash, never expiring', async () => {
    const response = await register({
      redirect_uris: [CLIENT_REDIRECT],
      token_endpoint_auth_method: 'client_secret_post',
    })
    assert.equal(response.statusCode, 201)
    const body = response.json()
    assert.ok(body.client_secret.startsWith(CLIENT_SECRET_PREFIX))
    assert.equal(body.client_secret_expires_at, 0)
    const stored = await h.store.getClient(body.client_id)
    assert.equal(stored?.clientSecretHash, sha256(body.client_secret))
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(body.client_secret))
  })

  test('without token_endpoint_auth_method the RFC 7591 default client_secret_basic applies', async () => {
    const body = (await register({ redirect_uris: [CLIENT_REDIRECT] })).json()
    assert.equal(body.token_endpoint_auth_method, 'client_secret_basic')
    assert.ok(body.client_secret)
    assert.deepEqual(body.grant_types, ['authorization_code'])
  })

  test('without scope a client gets the base scope and the required ones', async () => {
    assert.equal(
      (await register({ redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none' })).json().scope,
      'mxcp:access mxcp:read',
    )
  })

  test('https redirect URIs and http on loopback hosts are accepted', async () => {
    const uris = [
      'https://app.example.com/cb',
      'http://127.0.0.1/cb',
      'http://localhost:3000/cb',
      'http://[::1]:4000/cb',
      'https://app.example.com/cb?tenant=1',
    ]
    const response = await register({ redirect_uris: uris, token_endpoint_auth_method: 'none' })
    assert.equal(response.statusCode, 201)
    assert.deepEqual(response.json().redirect_uris, uris)
  })

  test('insecure or malformed redirect URIs are invalid_redirect_uri and nothing is stored', async () => {
    const bad = [
      'http://app.example.com/cb',
      'javascript:alert(1)',
      'data:text/html,hi',
      'https://app.example.com/cb#fragment',
      'https://*.example.com/cb',
      '/relative/cb',
      'https://user:pass@app.example.com/cb',
      'com.example.app:/oauth',
      `https://app.example.com/${'x'.repeat(2100)}`,
    ]
    for (const uri of bad)
      assertRefused(
        await register({ redirect_uris: [uri], token_endpoint_auth_method: 'none' }),
        'invalid_redirect_uri',
      )
  })

  test('missing or empty redirect_uris is invalid_redirect_uri', async () => {
    assertRefused(await register({ client_name: 'x' }), 'invalid_redirect_uri', /required/)
    assertRefused(await register({ redirect_uris: [] }), 'invalid_redirect_uri')
    assertRefused(await register({ redirect_uris: 'https://app.example.com/cb' }), 'invalid_redirect_uri')
  })

  test('unsupported grant types, response types, auth methods and scopes are invalid_client_metadata', async () => {
    const base = { redirect_uris: [CLIENT_REDIRECT] }
    assertRefused(
      await register({ ...base, grant_types: ['client_credentials'] }),
      'invalid_client_metadata',
      /client_credentials/,
    )
    assertRefused(
      await register({ ...base, grant_types: ['refresh_token'] }),
      'invalid_client_metadata',
      /authorization_code/,
    )
    assertRefused(await register({ ...base, response_types: ['token'] }), 'invalid_client_metadata')
    assertRefused(
      await register({ ...base, token_endpoint_auth_method: 'private_key_jwt' }),
      'invalid_client_metadata',
    )
    assertRefused(
      await register({ ...base, scope: 'mxcp:access openid' }),
      'invalid_client_metadata',
      /Unsupported scope: openid/,
    )
    assertRefused(await register({ ...base, client_name: 42 }), 'invalid_client_metadata')
    assertRefused(await register({ ...base, client_uri: 'javascript:alert(1)' }), 'invalid_client_metadata')
  })

  test('a body that is not a JSON object is invalid_client_metadata', async () => {
    assertRefused(await register([1, 2]), 'invalid_client_metadata')
    const malformed = await register('{"redirect_uris": [', { 'content-type': 'application/json' })
    assert.equal(malformed.statusCode, 400)
    assert.equal(malformed.json().error, 'invalid_client_metadata')
    const asForm = await register('redirect_uris=x', { 'content-type': 'application/x-www-form-urlencoded' })
    assert.equal(asForm.statusCode, 400)
    assert.equal(asForm.json().error, 'invalid_client_metadata')
  })

  test('an oversized body is refused with 413 and a JSON error', async () => {
    const response = await register({
      redirect_uris: [CLIENT_REDIRECT],
      client_name: 'x',
      padding: 'y'.repeat(20_000),
    })
    assert.equal(response.statusCode, 413)
    assert.equal(response.json().error, 'invalid_client_metadata')
    assert.equal(store.count('saveClient'), 0)
  })

  test('control characters are stripped from the client name shown on the consent page', async () => {
    const body = (
      await register({
        redirect_uris: [CLIENT_REDIRECT],
        token_endpoint_auth_method: 'none',
        client_name: 'Good\u202eApp\u0007',
      })
    ).json()
    assert.equal(body.client_name, 'GoodApp')
  })

  test('a registered client can complete the flow', async () => {
    const client = await h.register({ scope: 'mxcp:access mxcp:read' })
    const login = await h.login(client.clientId, { overrides: { scope: undefined } })
    const token = await h.redeem(client, login)
    assert.equal(token.statusCode, 200)
    assert.equal(token.json().scope, 'mxcp:access mxcp:read')
  })
})
