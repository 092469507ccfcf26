import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { AttackHarness, CLIENT_REDIRECT, formBody, type RegisteredClient, setCookies } from '../src/index.js'

/**
 * Response headers (RFC 6749 §5.1, RFC 6819 §4.4.1.9 and §5.2.2.5, RFC 9700 §4.16 clickjacking,
 * MCP security best practices "Consent page": no framing, CSRF-safe cookies): what every answer
 * of a kind must carry, and what it must not.
 */
describe('headers', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({ auth: { authorization: { allowed_users: ['somebody-else'] } } })
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  function noStore(response: LightMyRequestResponse, what: string): void {
    assert.equal(response.headers['cache-control'], 'no-store', `${what}: Cache-Control`)
    assert.equal(response.headers['pragma'], 'no-cache', `${what}: Pragma`)
  }

  /** Every kind of page we render, each from a real request. */
  async function pages(): Promise<Record<string, LightMyRequestResponse>> {
    const visitor = h.visitor()
    const request = h.authorizeUrl(client.clientId)
    const consent = await visitor.get(request.url)
    const { fields } = await h.openConsent(visitor, request)
    const handover = await h.decide(visitor, fields)
    const upstream = new URL(/url=([^"]+)"/.exec(handover.body)?.[1]?.replaceAll('&amp;', '&') ?? '')
    const refusal = await visitor.get(await h.atGitHub(upstream))
    return {
      consent,
      handover,
      'untrusted client page': await h.visitor().get(h.authorizeUrl('unknown-client').url),
      'callback state error page': await h.visitor().get('/github/callback?state=forged&code=x'),
      'allowlist refusal page': refusal,
      'consent form error page': await visitor.post('/consent', {
        ...fields,
        csrf_token: 'forged',
        decision: 'approve',
      }),
      'hand-over back to the client': await h.decide(visitor, fields, 'deny'),
    }
  }

  test('every token response carries Cache-Control: no-store, success or error (RFC 6749 §5.1)', async () => {
    // This file's main harness refuses everybody at the allowlist; tokens need an open one.
    const open = await AttackHarness.start()
    try {
      const mine = await open.register()
      const login = await open.login(mine.clientId)
      noStore(await open.redeem(mine, login), 'code grant')
      const issued = await open.issue(mine)
      noStore(await open.refresh(mine, issued.refreshToken), 'refresh grant')
      noStore(await open.redeem(mine, login), 'invalid_grant')
      noStore(
        await open.token({ grant_type: 'password', client_id: mine.clientId }),
        'unsupported_grant_type',
      )
      noStore(await open.token({ grant_type: 'authorization_code', client_id: 'nobody' }), 'invalid_client')
      noStore(
        await open.inject('POST', '/token', {
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        }),
        'wrong content type',
      )
      noStore(
        await open.inject('POST', '/token', {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: formBody({ grant_type: 'x'.repeat(64 * 1024) }),
        }),
        'body too large',
      )
      noStore(
        await open.inject('POST', '/token', {
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
          payload: 'x',
        }),
        'unsupported media type',
      )
    } finally {
      await open.close()
    }
  })

  test('registration and revocation answers are not cached either', async () => {
    noStore(
      await h.registerRaw({ redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none' }),
      'register',
    )
    noStore(await h.registerRaw('{'), 'register error')
    noStore(await h.revoke({ token: 'x', client_id: client.clientId }), 'revoke')
  })

  test('every page we render cannot be framed, runs no script, leaks no referrer and is not cached', async () => {
    for (const [name, page] of Object.entries(await pages())) {
      assert.match(String(page.headers['content-type']), /^text\/html/, name)
      const csp = String(page.headers['content-security-policy'])
      assert.match(csp, /frame-ancestors 'none'/, `${name}: CSP frame-ancestors`)
      assert.match(csp, /default-src 'none'/, `${name}: CSP default-src`)
      assert.doesNotMatch(csp, /script-src/, `${name}: no script`)
      assert.equal(page.headers['x-frame-options'], 'DENY', `${name}: X-Frame-Options`)
      assert.equal(page.headers['referrer-policy'], 'no-referrer', `${name}: Referrer-Policy`)
      assert.equal(page.headers['x-content-type-options'], 'nosniff', `${name}: nosniff`)
      assert.equal(page.headers['cache-control'], 'no-store', `${name}: Cache-Control`)
    }
  })

  test('the consent page and the other browser pages answer no CORS, not even to a preflight', async () => {
    const origin = { origin: 'https://evil.example' }
    for (const [name, page] of Object.entries(await pages())) {
      assert.equal(page.headers['access-control-allow-origin'], undefined, name)
    }
    const withOrigin = await h.visitor().get(h.authorizeUrl(client.clientId).url, origin)
    assert.equal(withOrigin.headers['access-control-allow-origin'], undefined)
    for (const path of ['/authorize', '/consent', '/github/callback']) {
      const preflight = await h.inject('OPTIONS', path, {
        headers: { ...origin, 'access-control-request-method': 'POST' },
      })
      assert.equal(preflight.headers['access-control-allow-origin'], undefined, `${path} preflight`)
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined, `${path} preflight`)
    }
  })

  test('CORS on the JSON endpoints never allows credentials', async () => {
    for (const path of ['/token', '/register', '/revoke', '/.well-known/oauth-authorization-server']) {
      const preflight = await h.inject('OPTIONS', path, {
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      })
      assert.equal(preflight.headers['access-control-allow-origin'], '*', path)
      assert.equal(preflight.headers['access-control-allow-credentials'], undefined, path)
    }
  })

  test('our cookies are __Host- prefixed, Secure, HttpOnly and SameSite=Lax over https', async () => {
    const visitor = h.visitor()
    const request = h.authorizeUrl(client.clientId)
    const consent = await visitor.get(request.url)
    const { fields } = await h.openConsent(visitor, request)
    const approved = await h.decide(visitor, fields)
    const cookies = [...setCookies(consent), ...setCookies(approved)]
    assert.ok(cookies.some((cookie) => cookie.startsWith('__Host-mxcp_consent=')))
    assert.ok(cookies.some((cookie) => cookie.startsWith('__Host-mxcp_login=')))
    for (const cookie of cookies) {
      assert.match(cookie, /^__Host-/)
      assert.match(cookie, /; Secure/i)
      assert.match(cookie, /; HttpOnly/i)
      assert.match(cookie, /; SameSite=Lax/i)
      assert.match(cookie, /; Path=\//i)
      assert.doesNotMatch(cookie, /; Domain=/i)
    }
  })

  test("the guard's refusals are not cached", async () => {
    assert.equal((await h.call()).headers['cache-control'], 'no-store')
    assert.equal((await h.call('mxcp_at_forged')).headers['cache-control'], 'no-store')
  })
})

describe('metadata', () => {
  test('the server advertises only the code flow, S256 and the iss parameter (RFC 8414, RFC 9207)', async () => {
    const h = await AttackHarness.start()
    try {
      const metadata = (await h.inject('GET', '/.well-known/oauth-authorization-server')).json<
        Record<string, unknown>
      >()
      assert.deepEqual(metadata['code_challenge_methods_supported'], ['S256'])
      assert.deepEqual(metadata['response_types_supported'], ['code'])
      assert.equal(metadata['authorization_response_iss_parameter_supported'], true)
      const grants = metadata['grant_types_supported']
      assert.ok(Array.isArray(grants))
      assert.ok(!grants.includes('implicit') && !grants.includes('password'))
      assert.equal(metadata['issuer'], h.base)
    } finally {
      await h.close()
    }
  })
})
