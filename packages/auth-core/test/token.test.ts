import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { sha256 } from '../src/crypto.js'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from '../src/defaults.js'
import { MemoryStore } from '../src/index.js'
import { CLIENT_REDIRECT, form, Harness, pkcePair, RESOURCE, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore } from './helpers/spy-store.js'

/** RFC 6749 §5.1/§5.2: every token response, success or error, is never cached. */
function assertNoStore(response: LightMyRequestResponse): void {
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.equal(response.headers['pragma'], 'no-cache')
}

/** A §5.2 JSON error with the given code; and no token was issued. */
function assertTokenError(
  response: LightMyRequestResponse,
  status: number,
  error: string,
  store?: SpyStore,
): void {
  assert.equal(response.statusCode, status, response.body)
  assertNoStore(response)
  assert.match(String(response.headers['content-type']), /application\/json/)
  const body = response.json()
  assert.equal(body.error, error)
  assert.equal(typeof body.error_description, 'string')
  assert.equal(body.access_token, undefined)
  if (store) assert.equal(store.count('saveTokens'), 0, 'nothing was issued')
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

describe('POST /token: authorization_code', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({ store, auth: { access_token_ttl: 900 } })
    client = await h.register()
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    store.reset()
  })

  test('a valid code gives a bearer token, a refresh token and the granted scope, never cached', async () => {
    const login = await h.login(client.clientId)
    store.reset()
    const response = await h.redeem(client, login)
    assert.equal(response.statusCode, 200)
    assertNoStore(response)
    const body = response.json()
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, 900, 'access_token_ttl is configurable')
    assert.equal(body.scope, 'mxcp:access')
    assert.ok(body.access_token.startsWith(ACCESS_TOKEN_PREFIX))
    assert.ok(body.refresh_token.startsWith(REFRESH_TOKEN_PREFIX))
    assert.match(
      body.access_token.slice(ACCESS_TOKEN_PREFIX.length),
      /^[A-Za-z0-9_-]{43}$/,
      '256 random bits',
    )
  })

  test('tokens are stored only as SHA-256 hashes, bound to client, audience, scopes and session', async () => {
    const issued = await h.issue(client)
    const record = await h.store.getToken(sha256(issued.accessToken))
    assert.ok(record)
    assert.equal(record.kind, 'access')
    assert.equal(record.clientId, client.clientId)
    assert.equal(record.resource, RESOURCE)
    assert.deepEqual(record.scopes, ['mxcp:access'])
    assert.ok(await h.store.getSession(record.sessionId))
    assert.doesNotMatch(
      JSON.stringify(record),
      new RegExp(issued.accessToken.slice(ACCESS_TOKEN_PREFIX.length)),
    )
    const refresh = await h.store.getToken(sha256(issued.refreshToken ?? ''))
    assert.equal(refresh?.kind, 'refresh')
    assert.equal(refresh?.familyId, record.familyId)
  })

  test('a wrong code_verifier is invalid_grant (PKCE)', async () => {
    const login = await h.login(client.clientId)
    store.reset()
    assertTokenError(
      await h.redeem(client, login, { code_verifier: pkcePair().verifier }),
      400,
      'invalid_grant',
      store,
    )
  })

  test('a missing code_verifier is invalid_request and leaves the code usable', async () => {
    const login = await h.login(client.clientId)
    store.reset()
    assertTokenError(
      await h.redeem(client, login, { code_verifier: undefined }),
      400,
      'invalid_request',
      store,
    )
    assert.equal((await h.redeem(client, login)).statusCode, 200)
  })

  test('a redirect_uri other than the authorization request is invalid_grant', async () => {
    const login = await h.login(client.clientId)
    store.reset()
    assertTokenError(
      await h.redeem(client, login, { redirect_uri: 'http://127.0.0.1:9000/callback' }),
      400,
      'invalid_grant',
      store,
    )
  })

  test('a code issued to another client is invalid_grant', async () => {
    const thief = await h.register({ client_name: 'Thief' })
    const login = await h.login(client.clientId)
    store.reset()
    assertTokenError(await h.redeem(thief, login), 400, 'invalid_grant', store)
  })

  test('a wrong resource is invalid_target and leaves the code usable (RFC 8707)', async () => {
    const login = await h.login(client.clientId)
    store.reset()
    assertTokenError(
      await h.redeem(client, login, { resource: 'https://other.test/mcp' }),
      400,
      'invalid_target',
      store,
    )
    assert.equal(
      (await h.redeem(client, login, { resource: undefined })).statusCode,
      200,
      'resource may be omitted',
    )
  })

  test('a lost token response: the same client with the same verifier inside the grace window gets working tokens, the undelivered ones are revoked', async () => {
    const login = await h.login(client.clientId)
    const lost = (await h.redeem(client, login)).json()
    h.clock.advance(29_000)
    const retry = await h.redeem(client, login)
    assert.equal(retry.statusCode, 200)
    assert.equal((await h.call(retry.json().access_token)).statusCode, 200)
    assert.equal((await h.call(lost.access_token)).statusCode, 401, 'the undelivered access token is revoked')
    const wrongVerifier = await h.token({
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: CLIENT_REDIRECT,
      code_verifier: 'x'.repeat(43),
      client_id: client.clientId,
      resource: RESOURCE,
    })
    assertTokenError(wrongVerifier, 400, 'invalid_grant')
    assert.equal(
      (await h.call(retry.json().access_token)).statusCode,
      401,
      'a replay without the verifier revokes the grant',
    )
  })

  test('a replayed code is invalid_grant and revokes every token it issued', async () => {
    const login = await h.login(client.clientId)
    const first = (await h.redeem(client, login)).json()
    assert.equal((await h.call(first.access_token)).statusCode, 200)
    h.clock.advance(30_000) // past the lost-response grace window
    const replay = await h.redeem(client, login)
    assertTokenError(replay, 400, 'invalid_grant')
    assert.equal((await h.call(first.access_token)).statusCode, 401)
    const refresh = await h.token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
      client_id: client.clientId,
    })
    assertTokenError(refresh, 400, 'invalid_grant')
  })

  test('an unknown code is invalid_grant', async () => {
    assertTokenError(
      await h.token({
        grant_type: 'authorization_code',
        code: 'mxcp_ac_nope',
        code_verifier: pkcePair().verifier,
        redirect_uri: CLIENT_REDIRECT,
        client_id: client.clientId,
      }),
      400,
      'invalid_grant',
      store,
    )
  })

  test('a missing or unsupported grant_type is refused', async () => {
    assertTokenError(await h.token({ client_id: client.clientId }), 400, 'invalid_request', store)
    assertTokenError(
      await h.token({ grant_type: 'password', client_id: client.clientId }),
      400,
      'unsupported_grant_type',
      store,
    )
    assertTokenError(
      await h.token({ grant_type: 'client_credentials', client_id: client.clientId }),
      400,
      'unsupported_grant_type',
      store,
    )
  })

  test('a client registered without refresh_token gets no refresh token and may not refresh', async () => {
    const codeOnly = await h.register({ grant_types: ['authorization_code'] })
    const issued = await h.issue(codeOnly)
    assert.equal(issued.refreshToken, undefined)
    assertTokenError(
      await h.token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: codeOnly.clientId }),
      400,
      'unauthorized_client',
    )
  })

  test('a JSON body is refused with a §5.2 error (the token endpoint takes forms)', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/token',
      payload: { grant_type: 'authorization_code' },
    })
    assertTokenError(response, 400, 'invalid_request', store)
  })

  test('an unparsable content type is refused as JSON, never cached', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/xml' },
      payload: '<x/>',
    })
    assert.equal(response.statusCode, 415)
    assertNoStore(response)
    assert.equal(response.json().error, 'invalid_request')
  })

  test('a repeated parameter is invalid_request', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `${form({ grant_type: 'authorization_code', client_id: client.clientId, code: 'a' })}&code=b`,
    })
    assertTokenError(response, 400, 'invalid_request', store)
  })
})

describe('POST /token: client authentication', () => {
  let h: Harness
  let store: SpyStore

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({
      store,
      auth: {
        clients: [
          { client_id: 'cli', name: 'MCP CLI', redirect_uris: [CLIENT_REDIRECT] },
          {
            client_id: 'backend',
            client_secret: 'pre+registered%secret',
            name: 'Backend',
            redirect_uris: [CLIENT_REDIRECT],
            grant_types: ['authorization_code', 'refresh_token'],
          },
        ],
      },
    })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    store.reset()
  })

  test('an unknown client is 401 invalid_client (so SDK clients register again)', async () => {
    assertTokenError(
      await h.token({ grant_type: 'authorization_code', client_id: 'deleted-client' }),
      401,
      'invalid_client',
      store,
    )
  })

  test('an unknown client over Basic also gets WWW-Authenticate: Basic', async () => {
    const response = await h.token(
      { grant_type: 'authorization_code' },
      { authorization: basic('deleted-client', 'x') },
    )
    assertTokenError(response, 401, 'invalid_client', store)
    assert.match(String(response.headers['www-authenticate']), /^Basic realm=/)
  })

  test('no client identification at all is invalid_client', async () => {
    assertTokenError(await h.token({ grant_type: 'authorization_code' }), 401, 'invalid_client', store)
  })

  test('a confidential client may use client_secret_post', async () => {
    const confidential = await h.register({ token_endpoint_auth_method: 'client_secret_post' })
    const login = await h.login(confidential.clientId)
    const response = await h.redeem(confidential, login)
    assert.equal(response.statusCode, 200)
  })

  test('a confidential client may use client_secret_basic', async () => {
    const confidential = await h.register({ token_endpoint_auth_method: 'client_secret_basic' })
    const login = await h.login(confidential.clientId)
    const response = await h.token(
      {
        grant_type: 'authorization_code',
        code: login.code,
        code_verifier: login.verifier,
        redirect_uri: CLIENT_REDIRECT,
      },
      { authorization: basic(confidential.clientId, confidential.clientSecret ?? '') },
    )
    assert.equal(response.statusCode, 200)
  })

  test('a wrong or missing secret is 401 invalid_client and leaves the code usable', async () => {
    const confidential = await h.register({ token_endpoint_auth_method: 'client_secret_post' })
    const login = await h.login(confidential.clientId)
    store.reset()
    assertTokenError(
      await h.redeem(confidential, login, { client_secret: 'wrong' }),
      401,
      'invalid_client',
      store,
    )
    assertTokenError(
      await h.redeem(confidential, login, { client_secret: undefined }),
      401,
      'invalid_client',
      store,
    )
    const viaBasic = await h.token(
      { grant_type: 'authorization_code', code: login.code },
      { authorization: basic(confidential.clientId, 'wrong') },
    )
    assertTokenError(viaBasic, 401, 'invalid_client', store)
    assert.equal((await h.redeem(confidential, login)).statusCode, 200)
  })

  test('Basic and client_secret in one request is invalid_request (one method only)', async () => {
    const confidential = await h.register({ token_endpoint_auth_method: 'client_secret_basic' })
    const response = await h.token(
      { grant_type: 'authorization_code', client_secret: confidential.clientSecret },
      { authorization: basic(confidential.clientId, confidential.clientSecret ?? '') },
    )
    assertTokenError(response, 400, 'invalid_request', store)
  })

  test('a malformed Basic header is invalid_client', async () => {
    assertTokenError(
      await h.token({ grant_type: 'authorization_code' }, { authorization: 'Basic !!!' }),
      401,
      'invalid_client',
      store,
    )
    const noColon = `Basic ${Buffer.from('just-an-id').toString('base64')}`
    assertTokenError(
      await h.token({ grant_type: 'authorization_code' }, { authorization: noColon }),
      401,
      'invalid_client',
      store,
    )
  })

  test('a public client that sends a secret is invalid_client', async () => {
    const publicClient = await h.register({ token_endpoint_auth_method: 'none' })
    assertTokenError(
      await h.token({
        grant_type: 'authorization_code',
        client_id: publicClient.clientId,
        client_secret: 'x',
      }),
      401,
      'invalid_client',
      store,
    )
  })

  test('a pre-registered public client works through the whole flow and is never written to the store', async () => {
    const issued = await h.issue({ clientId: 'cli', clientSecret: undefined, body: {} })
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
    assert.equal(store.count('saveClient'), 0)
    assert.equal(await h.store.getClient('cli'), undefined)
    assert.equal(
      issued.refreshToken,
      undefined,
      'the guide: pre-registered clients default to authorization_code only',
    )
  })

  test('a pre-registered confidential client authenticates with its configured secret (raw or form-encoded Basic)', async () => {
    const backend = { clientId: 'backend', clientSecret: 'pre+registered%secret', body: {} }
    const issued = await h.issue(backend)
    assert.ok(issued.refreshToken)
    const formEncoded = await h.token(
      { grant_type: 'refresh_token', refresh_token: issued.refreshToken },
      { authorization: basic('backend', 'pre+registered%secret') },
    )
    assert.equal(formEncoded.statusCode, 200, formEncoded.body)
    const raw = `Basic ${Buffer.from('backend:pre+registered%secret').toString('base64')}`
    const rawResponse = await h.token(
      { grant_type: 'refresh_token', refresh_token: formEncoded.json().refresh_token },
      { authorization: raw },
    )
    assert.equal(rawResponse.statusCode, 200, rawResponse.body)
  })
})
