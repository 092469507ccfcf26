import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  AttackHarness,
  assertErrorPage,
  assertNothingIssued,
  assertNoUpstreamCall,
  assertRedirectError,
  CLIENT_REDIRECT,
  type RegisteredClient,
} from '../src/index.js'

/**
 * `/authorize` (RFC 6749 §4.1.1, §4.1.2.1; RFC 9700 §2.1, §4.1; RFC 7636; RFC 8707; RFC 8252
 * §7.3): what it refuses. Until the client and its redirect URI are trusted, the answer is a page,
 * never a redirect; after that, the error goes back to the client. Nothing is stored and nothing
 * goes upstream either way.
 */
describe('authorize', () => {
  const VOUCHED = 'operator-app'
  let h: AttackHarness
  let client: RegisteredClient
  let other: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({
      auth: {
        clients: [
          { client_id: 'operator-cli', name: 'Operator CLI', scopes: ['mxcp:access', 'mxcp:admin'] },
          // Errors go back by redirect only to a client the operator vouched for (RFC 9700 §4.11.2).
          {
            client_id: VOUCHED,
            name: 'Operator App',
            redirect_uris: [CLIENT_REDIRECT],
            scopes: ['mxcp:access'],
          },
        ],
      },
    })
    client = await h.register({
      client_name: 'Client A',
      redirect_uris: [CLIENT_REDIRECT, 'https://app.example.com/oauth/callback'],
    })
    other = await h.register({ client_name: 'Client B', redirect_uris: ['https://b.example.com/cb'] })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  /** GET /authorize for `client` with `overrides`; returns the answer and the client state. */
  async function authorize(clientId: string, overrides: Record<string, string | undefined> = {}) {
    const request = h.authorizeUrl(clientId, overrides)
    const response = await h.visitor().get(request.url)
    return { response, state: request.state }
  }

  function refusedWithoutRedirect(response: Awaited<ReturnType<typeof authorize>>['response']): void {
    assertErrorPage(response, 400)
    assert.doesNotMatch(response.body, /127\.0\.0\.1:8999|evil|attacker/, 'the page links to no redirect URI')
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  }

  test('a redirect_uri that is not an exact registered match is refused with a page, never a redirect', async () => {
    const near = [
      'https://app.example.com/oauth/callback/',
      'https://app.example.com/oauth/callback/../evil',
      'https://app.example.com/oauth/callback?next=https://evil.example',
      'https://app.example.com/oauth/Callback',
      'https://APP.example.com/oauth/callback',
      'https://app.example.com:444/oauth/callback',
      'http://app.example.com/oauth/callback',
      'https://app.example.com.evil.example/oauth/callback',
      'https://evil.example/oauth/callback',
      'https://app.example.com@evil.example/oauth/callback',
      'https://evil.example#@app.example.com/oauth/callback',
      'https://app.example.com/oauth/callback#fragment',
      'https://app.example.com/oauth/%63allback',
      'https://b.example.com/cb',
      'javascript:alert(1)//https://app.example.com/oauth/callback',
    ]
    for (const redirectUri of near) {
      const { response } = await authorize(client.clientId, { redirect_uri: redirectUri })
      refusedWithoutRedirect(response)
    }
  })

  test('a loopback redirect_uri matches on any port but only with the same path (RFC 8252 §7.3)', async () => {
    const anyPort = await authorize(client.clientId, { redirect_uri: 'http://127.0.0.1:51234/callback' })
    assert.equal(anyPort.response.statusCode, 200, 'another port is the same loopback redirect URI')
    for (const redirectUri of [
      'http://127.0.0.1:51234/callback/other',
      'http://127.0.0.1:51234/Callback',
      'http://127.0.0.1:51234/',
      'http://127.0.0.1:51234/callback?x=1',
      'http://localhost:8999/callback',
      'http://[::1]:8999/callback',
      'https://127.0.0.1:8999/callback',
    ]) {
      const { response } = await authorize(client.clientId, { redirect_uri: redirectUri })
      refusedWithoutRedirect(response)
    }
  })

  test('a missing redirect_uri is refused with a page, even for a client with one registered URI', async () => {
    const { response } = await authorize(other.clientId, { redirect_uri: undefined })
    refusedWithoutRedirect(response)
  })

  test('an unknown client is refused with a page, never a redirect', async () => {
    for (const clientId of ['no-such-client', `${client.clientId}x`, client.clientId.toUpperCase()]) {
      const { response } = await authorize(clientId)
      refusedWithoutRedirect(response)
    }
    const { response } = await authorize('', {})
    refusedWithoutRedirect(response)
  })

  test('a repeated client_id or redirect_uri is refused with a page (RFC 6749 §3.1)', async () => {
    const base = h.authorizeUrl(client.clientId)
    for (const [name, value] of [
      ['client_id', other.clientId],
      ['redirect_uri', 'https://evil.example/cb'],
      ['redirect_uri', CLIENT_REDIRECT],
    ] as const) {
      const url = new URL(base.url)
      url.searchParams.append(name, value)
      const response = await h.visitor().get(url)
      refusedWithoutRedirect(response)
    }
  })

  test('any other repeated parameter is refused with invalid_request (RFC 6749 §3.1)', async () => {
    for (const name of [
      'response_type',
      'code_challenge',
      'code_challenge_method',
      'scope',
      'resource',
      'state',
    ]) {
      const request = h.authorizeUrl(VOUCHED)
      const url = new URL(request.url)
      url.searchParams.append(name, url.searchParams.get(name) ?? 'x')
      const response = await h.visitor().get(url)
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'invalid_request',
        issuer: h.base,
        ...(name === 'state' ? {} : { state: request.state }),
      })
      assertNothingIssued(h)
    }
    assertNoUpstreamCall(h)
  })

  test('a request without PKCE is refused with invalid_request (OAuth 2.1 §4.1.1)', async () => {
    const { response, state } = await authorize(VOUCHED, {
      code_challenge: undefined,
      code_challenge_method: undefined,
    })
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'invalid_request',
      state,
      issuer: h.base,
    })
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('the plain PKCE method is refused, as is a missing method (RFC 9700 §2.1.1)', async () => {
    for (const method of ['plain', undefined, 's256', 'S512']) {
      const { response, state } = await authorize(VOUCHED, { code_challenge_method: method })
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'invalid_request',
        state,
        issuer: h.base,
      })
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a malformed S256 code_challenge is refused with invalid_request (RFC 7636 §4.2)', async () => {
    for (const challenge of [
      'short',
      'A'.repeat(42),
      'A'.repeat(44),
      `${'A'.repeat(42)}=`,
      `${'A'.repeat(42)}+`,
      `${'A'.repeat(42)}/`,
      `${'A'.repeat(42)} `,
      'Ä'.repeat(43),
    ]) {
      const { response, state } = await authorize(VOUCHED, { code_challenge: challenge })
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'invalid_request',
        state,
        issuer: h.base,
      })
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a response_type other than code is refused with unsupported_response_type (OAuth 2.1 §4.1.1)', async () => {
    for (const responseType of ['token', 'id_token', 'code token', 'code id_token', 'none', 'CODE']) {
      const { response, state } = await authorize(VOUCHED, { response_type: responseType })
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'unsupported_response_type',
        state,
        issuer: h.base,
      })
    }
    const { response, state } = await authorize(VOUCHED, { response_type: undefined })
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'invalid_request',
      state,
      issuer: h.base,
    })
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a scope the client may not have is refused with invalid_scope (RFC 6749 §3.3)', async () => {
    for (const scope of ['mxcp:admin', 'mxcp:access mxcp:admin', 'openid', 'mxcp:access\u0000', 'a"b']) {
      const { response, state } = await authorize(VOUCHED, { scope })
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'invalid_scope',
        state,
        issuer: h.base,
      })
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a resource that is not our MCP endpoint is refused with invalid_target (RFC 8707 §2)', async () => {
    for (const resource of [
      'https://evil.example/mcp',
      `${h.base}/other`,
      `${h.base}/mcp/extra`,
      `${h.base.replace('https:', 'http:')}/mcp`,
      `${h.base}/mcp#frag`,
      'urn:example:mcp',
      'not a url',
    ]) {
      const { response, state } = await authorize(VOUCHED, { resource })
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'invalid_target',
        state,
        issuer: h.base,
      })
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('an oversized state is refused with invalid_request, not echoed', async () => {
    const { response } = await authorize(VOUCHED, { state: 'x'.repeat(5000) })
    const location = assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'invalid_request',
      issuer: h.base,
    })
    assert.equal(location.searchParams.get('state'), null)
    assertNothingIssued(h)
  })

  test('every authorization error names our issuer, so a mix-up is detectable (RFC 9207 §2)', async () => {
    const { response } = await authorize(VOUCHED, { response_type: 'token' })
    const location = new URL(String(response.headers.location))
    assert.equal(location.searchParams.get('iss'), h.base)
  })

  test('a valid request only shows the consent page: nothing is stored and nothing goes upstream', async () => {
    const { response } = await authorize(client.clientId)
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers.location, undefined)
    assert.doesNotMatch(response.body, new RegExp(h.standIn.url.replace(/[.:/]/g, '\\$&')))
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })
})
