import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { CONSENT_TTL_MS } from '@mxcp/auth-core/testing'
import {
  AttackHarness,
  assertErrorPage,
  assertNothingIssued,
  assertNoUpstreamCall,
  CLIENT_REDIRECT,
  formFields,
  handoverTarget,
  type RegisteredClient,
  type Visitor,
} from '../src/index.js'

/**
 * The consent page (MCP security best practices, "Confused deputy": per-client consent before
 * anything goes upstream, CSRF protection, no framing; RFC 9700 §4.7 CSRF; RFC 6819 §4.4.1.9
 * clickjacking). The confused deputy attack: one static client at GitHub serves every MCP
 * client, and GitHub remembers the user's approval, so our own consent is what stops a
 * malicious client from riding on it.
 */
describe('consent', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let other: RegisteredClient

  before(async () => {
    // An operator's client with a second scope makes `mxcp:read` a scope clients may register.
    h = await AttackHarness.start({
      auth: { clients: [{ client_id: 'operator-cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:read'] }] },
    })
    client = await h.register({ client_name: 'Client A', scope: 'mxcp:access mxcp:read' })
    other = await h.register({ client_name: 'Client B' })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  const consentUrl = (): URL => new URL('/consent', h.base)

  /** Opens a consent page in `visitor` for `clientId`. */
  async function consentFor(visitor: Visitor, clientId: string): Promise<Record<string, string>> {
    return (await h.openConsent(visitor, h.authorizeUrl(clientId))).fields
  }

  function refused(response: Awaited<ReturnType<Visitor['post']>>): void {
    assertErrorPage(response, 403)
    assert.equal(handoverTarget(response, consentUrl()), undefined, 'the browser is not sent anywhere')
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  }

  test('before the user approves, no upstream redirect and no upstream transaction exist', async () => {
    const visitor = h.visitor()
    const { response } = await h.openConsent(visitor, h.authorizeUrl(client.clientId))
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers.location, undefined)
    assert.ok(!response.body.includes(h.standIn.url), 'the page holds no link to the identity provider')
    assert.doesNotMatch(response.body, /http-equiv="refresh"/i)
    assert.ok(
      !h.store.calls.some((call) => call.method === 'saveTransaction'),
      'no transaction before approval',
    )
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('the upstream transaction is created only by Approve, and only then is the browser sent upstream', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    const response = await h.decide(visitor, fields, 'approve')
    const target = handoverTarget(response, consentUrl())
    assert.ok(
      target?.href.startsWith(`${h.standIn.url}/login/oauth/authorize`),
      'Approve hands over to GitHub',
    )
    assert.deepEqual(h.store.issued(), ['saveTransaction'])
    assertNoUpstreamCall(h)
  })

  test('the approve form is refused without its CSRF token', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    refused(await h.decide(visitor, { ...fields, csrf_token: undefined }))
    refused(await h.decide(visitor, { ...fields, csrf_token: '' }))
  })

  test('the approve form is refused with a forged or altered CSRF token', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    const token = fields['csrf_token'] ?? ''
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    for (const forged of [flipped, 'A'.repeat(token.length), `${token}x`, token.slice(1)]) {
      refused(await h.decide(visitor, { ...fields, csrf_token: forged }))
    }
  })

  test('the approve form is refused without the consent cookie', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    const cookieless = h.visitor()
    refused(await h.decide(cookieless, fields))
  })

  test("the approve form is refused in another browser, even with that browser's own consent cookie", async () => {
    const victim = h.visitor()
    const attacker = h.visitor()
    await consentFor(attacker, client.clientId)
    const victimFields = await consentFor(victim, client.clientId)
    refused(await h.decide(attacker, victimFields))
  })

  test("consent is per client: client B cannot use client A's consent token", async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    refused(await h.decide(visitor, { ...fields, client_id: other.clientId }))
  })

  test('consent is per client: after approving client A, client B still gets its own consent page', async () => {
    const visitor = h.visitor()
    await h.login(client.clientId, { visitor })
    h.reset()
    const response = await visitor.get(h.authorizeUrl(other.clientId).url)
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /Client B/)
    assert.ok(formFields(response.body, consentUrl())['csrf_token'], 'a fresh consent form')
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('the consent token covers the whole request: a changed redirect URI, challenge, scope, state or expiry is refused', async () => {
    const visitor = h.visitor()
    const fields = (await h.openConsent(visitor, h.authorizeUrl(client.clientId, { scope: 'mxcp:access' })))
      .fields
    for (const change of [
      { redirect_uri: 'http://127.0.0.1:9000/callback' },
      { code_challenge: 'B'.repeat(43) },
      { scope: 'mxcp:access mxcp:read' },
      { state: 'attacker-state' },
      { consent_expires: String(Number(fields['consent_expires']) + 60_000) },
    ]) {
      refused(await h.decide(visitor, { ...fields, ...change }))
    }
  })

  test('an expired consent form is refused', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    h.clock.advance(CONSENT_TTL_MS + 1)
    refused(await h.decide(visitor, fields))
  })

  test('consent cannot be given by a GET (a link or an image)', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    const url = new URL('/consent', h.base)
    url.search = new URLSearchParams({ ...fields, decision: 'approve' }).toString()
    const response = await visitor.get(url)
    assert.ok(response.statusCode === 404 || response.statusCode === 405, `got ${response.statusCode}`)
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('the consent form is refused when it is not posted as a form (a cross-site JSON or text post)', async () => {
    const visitor = h.visitor()
    const fields = await consentFor(visitor, client.clientId)
    for (const contentType of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const response = await visitor.request({
        method: 'POST',
        url: '/consent',
        headers: { 'content-type': contentType },
        payload:
          contentType === 'application/json' ? JSON.stringify({ ...fields, decision: 'approve' }) : 'x=y',
      })
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `got ${response.statusCode}`)
      assert.equal(response.headers.location, undefined)
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('Deny returns access_denied to the client and stores nothing', async () => {
    const visitor = h.visitor()
    const request = h.authorizeUrl(client.clientId)
    const { fields } = await h.openConsent(visitor, request)
    const response = await h.decide(visitor, fields, 'deny')
    const target = handoverTarget(response, consentUrl())
    assert.ok(target)
    assert.equal(`${target.origin}${target.pathname}`, CLIENT_REDIRECT)
    assert.equal(target.searchParams.get('error'), 'access_denied')
    assert.equal(target.searchParams.get('state'), request.state)
    assert.equal(target.searchParams.get('iss'), h.base)
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a form without a decision is not an approval', async () => {
    for (const decision of [undefined, 'yes', 'APPROVE']) {
      const visitor = h.visitor()
      const fields = await consentFor(visitor, client.clientId)
      const response = await visitor.post('/consent', { ...fields, decision })
      const target = handoverTarget(response, consentUrl())
      assert.equal(target?.searchParams.get('error'), 'access_denied')
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('the consent page cannot be framed (frame-ancestors none, X-Frame-Options DENY)', async () => {
    const { response } = await h.openConsent(h.visitor(), h.authorizeUrl(client.clientId))
    const csp = String(response.headers['content-security-policy'])
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(response.headers['x-frame-options'], 'DENY')
  })

  test('the consent page leaks no referrer and runs no script', async () => {
    const { response } = await h.openConsent(h.visitor(), h.authorizeUrl(client.clientId))
    assert.equal(response.headers['referrer-policy'], 'no-referrer')
    const csp = String(response.headers['content-security-policy'])
    assert.match(csp, /default-src 'none'/)
    assert.doesNotMatch(csp, /script-src/)
    assert.match(csp, /form-action 'self'/)
    assert.doesNotMatch(response.body, /<script/i)
  })

  test("the client's name is shown escaped: a registered name cannot inject markup", async () => {
    const evil = await h.register({ client_name: '<img src=x onerror=alert(1)>"><script>alert(2)</script>' })
    const { response } = await h.openConsent(h.visitor(), h.authorizeUrl(evil.clientId))
    assert.doesNotMatch(response.body, /<img src=x|<script>/)
    assert.match(response.body, /&lt;img src=x onerror=alert\(1\)&gt;/)
  })

  test('a self-registered client is marked unverified; the redirect host is shown', async () => {
    const { response } = await h.openConsent(h.visitor(), h.authorizeUrl(client.clientId))
    assert.match(response.body, /not verified/)
    assert.match(response.body, /127\.0\.0\.1:8999/)
  })
})
