import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { AttackHarness, assertNothingIssued, assertOAuthError, CLIENT_REDIRECT } from '../src/index.js'

/**
 * `/register` (RFC 7591 §2, §3.2.2, §5; RFC 6749 §3.1.2; RFC 8252 §7.3, §8.3; RFC 9700 §4.1;
 * MCP authorization §"Communication security"): what a self-registering client may not claim.
 * A refused registration stores nothing.
 */
describe('register', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  const valid = {
    client_name: 'Register Test',
    redirect_uris: [CLIENT_REDIRECT],
    token_endpoint_auth_method: 'none',
  }

  async function refusedRedirect(redirectUris: unknown): Promise<void> {
    const response = await h.registerRaw({ ...valid, redirect_uris: redirectUris })
    assertOAuthError(response, 400, 'invalid_redirect_uri')
    assertNothingIssued(h)
  }

  test('an http redirect URI on a non-loopback host is refused with invalid_redirect_uri', async () => {
    for (const uri of [
      'http://app.example.com/cb',
      'http://localhost.evil.example/cb',
      'http://127.0.0.1.nip.io/cb',
      'http://0.0.0.0:8999/cb',
      'http://10.0.0.1/cb',
      'http://[::ffff:127.0.0.1]/cb',
    ]) {
      await refusedRedirect([uri])
    }
  })

  test('a javascript:, data:, file: or other non-http(s) redirect URI is refused', async () => {
    for (const uri of [
      'javascript:alert(document.cookie)',
      'JavaScript://%0aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'ftp://example.com/cb',
      'ws://127.0.0.1/cb',
    ]) {
      await refusedRedirect([uri])
    }
  })

  test('a redirect URI with a fragment is refused (RFC 6749 §3.1.2)', async () => {
    await refusedRedirect(['https://app.example.com/cb#frag'])
    await refusedRedirect(['https://app.example.com/cb#'])
  })

  test('a redirect URI with a wildcard is refused', async () => {
    for (const uri of ['https://*.example.com/cb', 'https://app.example.com/*', 'http://127.0.0.1:*/cb']) {
      await refusedRedirect([uri])
    }
  })

  test('a redirect URI with credentials, or that is not absolute, is refused', async () => {
    for (const uri of [
      'https://user:pass@app.example.com/cb',
      '/relative/cb',
      'app.example.com/cb',
      '',
      ' ',
    ]) {
      await refusedRedirect([uri])
    }
  })

  test('one bad redirect URI among good ones refuses the whole registration', async () => {
    await refusedRedirect([CLIENT_REDIRECT, 'https://app.example.com/cb', 'http://evil.example/cb'])
  })

  test('missing, empty, oversized or wrongly typed redirect_uris are refused', async () => {
    for (const uris of [
      undefined,
      [],
      'https://app.example.com/cb',
      [42],
      [null],
      Array(200).fill(CLIENT_REDIRECT),
    ]) {
      const response = await h.registerRaw({ ...valid, redirect_uris: uris })
      assert.equal(response.statusCode, 400, JSON.stringify(uris)?.slice(0, 80))
      assert.match(
        response.json<Record<string, string>>()['error'] ?? '',
        /^invalid_(redirect_uri|client_metadata)$/,
      )
    }
    await refusedRedirect([`https://app.example.com/${'a'.repeat(5000)}`])
    assertNothingIssued(h)
  })

  test('a malformed body is refused with invalid_client_metadata and stores nothing', async () => {
    for (const body of [
      '{',
      '{"redirect_uris":',
      'null',
      '[]',
      '"text"',
      '42',
      'true',
      '{"__proto__":{"admin":true}}',
    ]) {
      const response = await h.registerRaw(body)
      assert.equal(response.statusCode, 400, body)
      assert.match(
        response.json<Record<string, string>>()['error'] ?? '',
        /^invalid_(client_metadata|redirect_uri)$/,
      )
    }
    assertNothingIssued(h)
  })

  test('a body that is not JSON is refused', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const response = await h.inject('POST', '/register', {
        headers: { 'content-type': contentType },
        payload: 'redirect_uris=https%3A%2F%2Fapp.example.com%2Fcb',
      })
      assert.ok(
        response.statusCode === 400 || response.statusCode === 415,
        `${contentType}: ${response.statusCode}`,
      )
      assert.equal(typeof response.json<Record<string, unknown>>()['error'], 'string')
    }
    assertNothingIssued(h)
  })

  test('an oversized body is refused with 413 and stores nothing', async () => {
    const response = await h.registerRaw({ ...valid, client_name: 'x'.repeat(64 * 1024) })
    assert.equal(response.statusCode, 413)
    assert.equal(typeof response.json<Record<string, unknown>>()['error'], 'string')
    assertNothingIssued(h)
  })

  test('grant types, response types and auth methods we do not support are refused', async () => {
    for (const metadata of [
      { grant_types: ['client_credentials'] },
      { grant_types: ['implicit'] },
      { grant_types: ['password', 'authorization_code'] },
      { grant_types: ['refresh_token'] },
      { response_types: ['token'] },
      { response_types: ['code', 'token'] },
      { token_endpoint_auth_method: 'private_key_jwt' },
      { token_endpoint_auth_method: 'tls_client_auth' },
    ]) {
      const response = await h.registerRaw({ ...valid, ...metadata })
      assertOAuthError(response, 400, 'invalid_client_metadata')
    }
    assertNothingIssued(h)
  })

  test('a scope the server does not offer is refused', async () => {
    assertOAuthError(
      await h.registerRaw({ ...valid, scope: 'mxcp:access admin' }),
      400,
      'invalid_client_metadata',
    )
    assertNothingIssued(h)
  })

  test('control and formatting characters are removed from the client name shown on the consent page', async () => {
    const response = await h.registerRaw({ ...valid, client_name: 'Good\u202eevil\u0000App\u200b' })
    assert.equal(response.statusCode, 201)
    assert.equal(response.json<Record<string, unknown>>()['client_name'], 'GoodevilApp')
  })

  test('a registration answer is never cached and a secret is returned once, stored only as a hash', async () => {
    const response = await h.registerRaw({ ...valid, token_endpoint_auth_method: 'client_secret_post' })
    assert.equal(response.statusCode, 201)
    assert.match(String(response.headers['cache-control']), /no-store/)
    const secret = response.json<Record<string, string>>()['client_secret'] ?? ''
    assert.match(secret, /^mxcp_cs_/)
    const saved = h.store.calls.find((call) => call.method === 'saveClient')
    assert.ok(saved)
    assert.ok(!JSON.stringify(saved.argument).includes(secret), 'the store never sees the secret')
  })
})
