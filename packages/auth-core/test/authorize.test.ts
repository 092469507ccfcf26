import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { parseForms } from '@mxcp/testing'
import { MemoryStore } from '../src/index.js'
import { BASE, CLIENT_REDIRECT, Harness, pathOf, RESOURCE, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore, writes } from './helpers/spy-store.js'

const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

describe('GET /authorize', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({
      store,
      auth: {
        clients: [
          { client_id: 'preregistered-cli', name: 'MCP CLI', redirect_uris: [CLIENT_REDIRECT] },
          {
            client_id: 'refresh-only',
            name: 'Refresh only',
            redirect_uris: [CLIENT_REDIRECT],
            grant_types: ['refresh_token'],
          },
        ],
      },
    })
    client = await h.register({ client_name: 'Claude <script>alert(1)</script>' })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    store.reset()
    h.idp.resetRecords()
  })

  const get = (url: string) => h.app.inject({ method: 'GET', url: pathOf(url) })

  /** The request was refused without a redirect, nothing was stored and nothing went upstream. */
  function assertRefusedWithPage(response: Awaited<ReturnType<typeof get>>, message: RegExp): void {
    assert.equal(response.statusCode, 400)
    assert.equal(response.headers.location, undefined)
    assert.match(String(response.headers['content-type']), /^text\/html/)
    assert.match(response.body, message)
    assert.deepEqual(writes(store), [])
    assert.equal(h.idp.calls(), 0)
  }

  /** The error went back to the client's redirect URI with state and iss; nothing stored or sent upstream. */
  function assertRedirectedError(
    response: Awaited<ReturnType<typeof get>>,
    error: string,
    state?: string,
  ): URL {
    assert.equal(response.statusCode, 302)
    const location = new URL(String(response.headers.location))
    assert.equal(`${location.origin}${location.pathname}`, CLIENT_REDIRECT)
    assert.equal(location.searchParams.get('error'), error)
    assert.ok(location.searchParams.get('error_description'))
    assert.equal(location.searchParams.get('iss'), BASE)
    if (state !== undefined) assert.equal(location.searchParams.get('state'), state)
    assert.deepEqual(writes(store), [])
    assert.equal(h.idp.calls(), 0)
    return location
  }

  test('a valid request shows the consent page and stores nothing (stateless before Approve)', async () => {
    const response = await get(h.authorizeUrl(client.clientId).url)
    assert.equal(response.statusCode, 200)
    assert.deepEqual(writes(store), [])
    assert.equal(h.idp.calls(), 0)
  })

  test('the consent page shows the client name (escaped), the redirect host and the scopes', async () => {
    const response = await get(h.authorizeUrl(client.clientId).url)
    assert.match(response.body, /Claude &lt;script&gt;alert\(1\)&lt;\/script&gt;/)
    assert.doesNotMatch(response.body, /<script>/)
    assert.match(response.body, /127\.0\.0\.1:8999/)
    assert.match(response.body, /<code>mxcp:access<\/code>/)
    assert.match(response.body, /registered itself; its name is not verified/)
    const [consent] = parseForms(response.body, new URL(`${BASE}/authorize`))
    assert.equal(consent?.action.href, `${BASE}/consent`)
    assert.deepEqual(
      consent?.buttons.map((button) => button.value),
      ['deny', 'approve'],
    )
    assert.ok(consent?.fields.some(([name, value]) => name === 'csrf_token' && value.length > 20))
  })

  test('the consent page blocks framing, scripts, caching and referrers', async () => {
    const response = await get(h.authorizeUrl(client.clientId).url)
    assert.equal(response.headers['content-security-policy'], CSP)
    assert.equal(response.headers['x-frame-options'], 'DENY')
    assert.equal(response.headers['referrer-policy'], 'no-referrer')
    assert.equal(response.headers['cache-control'], 'no-store')
  })

  test('the consent cookie is __Host-, Secure, HttpOnly, SameSite=Lax', async () => {
    const response = await get(h.authorizeUrl(client.clientId).url)
    const cookie = String(response.headers['set-cookie'])
    assert.match(cookie, /^__Host-mxcp_consent=[A-Za-z0-9_-]{43};/)
    assert.match(cookie, /Path=\//)
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /Secure/)
    assert.match(cookie, /SameSite=Lax/)
  })

  test('a pre-registered client is shown without the "not verified" note', async () => {
    const response = await get(h.authorizeUrl('preregistered-cli').url)
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /MCP CLI/)
    assert.doesNotMatch(response.body, /not verified/)
  })

  test('an unknown client gets an error page, never a redirect', async () => {
    assertRefusedWithPage(await get(h.authorizeUrl('no-such-client').url), /not registered/)
  })

  test('a missing client_id gets an error page', async () => {
    assertRefusedWithPage(
      await get(h.authorizeUrl(client.clientId, { client_id: undefined }).url),
      /client_id parameter is required/,
    )
  })

  test('an unregistered redirect URI gets an error page, never a redirect', async () => {
    for (const redirect of [
      'https://evil.test/callback',
      'http://127.0.0.1:8999/other',
      `${CLIENT_REDIRECT}?x=1`,
      `${CLIENT_REDIRECT}/`,
    ]) {
      assertRefusedWithPage(
        await get(h.authorizeUrl(client.clientId, { redirect_uri: redirect }).url),
        /redirect_uri is not registered/,
      )
    }
  })

  test('a missing redirect URI gets an error page', async () => {
    assertRefusedWithPage(
      await get(h.authorizeUrl(client.clientId, { redirect_uri: undefined }).url),
      /redirect_uri parameter is required/,
    )
  })

  test('a repeated client_id gets an error page', async () => {
    const { url } = h.authorizeUrl(client.clientId)
    assertRefusedWithPage(await get(`${url}&client_id=${client.clientId}`), /client_id parameter is repeated/)
  })

  test('a loopback redirect URI matches on any port with the same path (RFC 8252 §7.3)', async () => {
    const response = await get(
      h.authorizeUrl(client.clientId, { redirect_uri: 'http://127.0.0.1:51234/callback' }).url,
    )
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /127\.0\.0\.1:51234/)
    const otherHost = await get(
      h.authorizeUrl(client.clientId, { redirect_uri: 'http://localhost:8999/callback' }).url,
    )
    assert.equal(otherHost.statusCode, 400)
  })

  test('response_type other than code is redirected back to a pre-registered client as unsupported_response_type', async () => {
    const { url, state } = h.authorizeUrl('preregistered-cli', { response_type: 'token' })
    assertRedirectedError(await get(url), 'unsupported_response_type', state)
  })

  test('a missing response_type is invalid_request', async () => {
    const { url, state } = h.authorizeUrl('preregistered-cli', { response_type: undefined })
    assertRedirectedError(await get(url), 'invalid_request', state)
  })

  test('PKCE is required: no code_challenge is invalid_request', async () => {
    const { url, state } = h.authorizeUrl('preregistered-cli', {
      code_challenge: undefined,
      code_challenge_method: undefined,
    })
    assertRedirectedError(await get(url), 'invalid_request', state)
  })

  test('PKCE plain is refused: only S256', async () => {
    const { url } = h.authorizeUrl('preregistered-cli', { code_challenge_method: 'plain' })
    const location = assertRedirectedError(await get(url), 'invalid_request')
    assert.match(String(location.searchParams.get('error_description')), /S256/)
    const missingMethod = h.authorizeUrl('preregistered-cli', { code_challenge_method: undefined })
    assertRedirectedError(await get(missingMethod.url), 'invalid_request')
  })

  test('a malformed S256 challenge is invalid_request', async () => {
    const { url } = h.authorizeUrl('preregistered-cli', { code_challenge: 'short' })
    assertRedirectedError(await get(url), 'invalid_request')
  })

  test('a scope the client may not have is invalid_scope', async () => {
    const { url, state } = h.authorizeUrl('preregistered-cli', { scope: 'mxcp:access mxcp:admin' })
    assertRedirectedError(await get(url), 'invalid_scope', state)
  })

  test('a resource that is not our MCP URL is invalid_target (RFC 8707)', async () => {
    for (const resource of ['https://other.test/mcp', `${BASE}/other`, `${RESOURCE}#frag`, 'not a url']) {
      const { url, state } = h.authorizeUrl('preregistered-cli', { resource })
      assertRedirectedError(await get(url), 'invalid_target', state)
    }
  })

  test('resource may be omitted, or sent with a trailing slash or an uppercase host', async () => {
    for (const resource of [undefined, `${RESOURCE}/`, 'HTTPS://MCP.TEST/mcp']) {
      const response = await get(h.authorizeUrl('preregistered-cli', { resource }).url)
      assert.equal(response.statusCode, 200, String(resource))
    }
  })

  test('a repeated parameter after the client is trusted is redirected as invalid_request', async () => {
    const { url, state } = h.authorizeUrl('preregistered-cli')
    assertRedirectedError(await get(`${url}&scope=mxcp:access`), 'invalid_request', state)
  })

  test('an over-long state is invalid_request and is not echoed', async () => {
    const { url } = h.authorizeUrl('preregistered-cli', { state: 'x'.repeat(3000) })
    const location = assertRedirectedError(await get(url), 'invalid_request')
    assert.equal(location.searchParams.get('state'), null)
  })

  test('a self-registered client gets the same errors on our page, never a redirect (RFC 9700 §4.11.2)', async () => {
    for (const overrides of [
      { response_type: 'token' },
      { code_challenge: undefined, code_challenge_method: undefined },
      { scope: 'mxcp:access mxcp:admin' },
      { resource: 'https://other.test/mcp' },
    ]) {
      assertRefusedWithPage(
        await get(h.authorizeUrl(client.clientId, overrides).url),
        /\((unsupported_response_type|invalid_request|invalid_scope|invalid_target)\)/,
      )
    }
  })

  test('a client not allowed the authorization code grant is unauthorized_client', async () => {
    const { url, state } = h.authorizeUrl('refresh-only')
    assertRedirectedError(await get(url), 'unauthorized_client', state)
  })
})
