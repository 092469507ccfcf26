import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  AttackHarness,
  assertErrorPage,
  assertNothingIssued,
  assertNoUpstreamCall,
  assertOAuthError,
  CLIENT_REDIRECT,
  formBody,
  formFields,
  handoverTarget,
  type RegisteredClient,
} from '../src/index.js'

/**
 * The edges of the authorization server (issue 15): what it answers before a client is vouched
 * for, how it counts and whom it trusts for the client's address and its own host name, what is
 * good only once, and which client authentication a registered client must use. Every refusal is
 * checked on the wire and in the store (nothing issued) and at the stand-in (nothing upstream).
 */

const PHISHING = 'https://phish.example/oauth/callback'

describe('no automatic redirect to a URI nobody vouched for', () => {
  let h: AttackHarness
  let phisher: RegisteredClient

  before(async () => {
    h = await AttackHarness.start()
    phisher = await h.register({ client_name: 'Totally Legit', redirect_uris: [PHISHING] })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('an error for a self-registered client before approval is our page, never a redirect to its URI', async () => {
    for (const overrides of [
      { scope: 'mxcp:admin' },
      { code_challenge: undefined, code_challenge_method: undefined },
      { response_type: 'token' },
      { resource: 'https://evil.example/mcp' },
      { state: 'x'.repeat(5000) },
    ]) {
      const request = h.authorizeUrl(phisher.clientId, { redirect_uri: PHISHING, ...overrides })
      const response = await h.visitor().get(request.url)
      assertErrorPage(response, 400)
      assert.doesNotMatch(response.body, /phish\.example/, 'the page does not link to the client')
    }
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })
})

describe('rate limits on every endpoint that checks a secret or can fetch', () => {
  const MAX = 3
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({ rateLimit: { max: MAX, window_seconds: 60 } })
    client = await h.register({ token_endpoint_auth_method: 'client_secret_post' })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('/revoke beyond the limit answers 429 and checks no more secrets', async () => {
    const guess = (secret: string) =>
      h.inject('POST', '/revoke', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ token: 'mxcp_rt_x', client_id: client.clientId, client_secret: secret }),
        remoteAddress: '203.0.113.50',
      })
    for (let i = 0; i < MAX; i++) assertOAuthError(await guess(`wrong-${i}`), 401, 'invalid_client')
    h.reset()
    const refused = await guess(client.clientSecret ?? '')
    assertOAuthError(refused, 429, 'temporarily_unavailable')
    assert.ok(Number(refused.headers['retry-after']) > 0)
    assert.deepEqual(h.store.revoked(), [])
    assert.equal(
      h.store.calls.filter((call) => call.method === 'getClient' || call.method === 'getToken').length,
      0,
      'a refused guess reads no client and no token',
    )
  })

  test('/consent beyond the limit answers 429 as a page and starts no sign-in', async () => {
    const post = () =>
      h.inject('POST', '/consent', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ client_id: client.clientId, decision: 'approve' }),
        remoteAddress: '203.0.113.51',
      })
    for (let i = 0; i < MAX; i++) assert.notEqual((await post()).statusCode, 429)
    const refused = await post()
    assertErrorPage(refused, 429)
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })
})

describe('IPv6 clients', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start({ rateLimit: { max: 2, window_seconds: 60 } })
  })
  after(() => h.close())

  test('an IPv6 client is counted by its /64: a new interface identifier buys no fresh budget', async () => {
    const register = (remoteAddress: string) =>
      h.inject('POST', '/register', {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none' }),
        remoteAddress,
      })
    assert.equal((await register('2001:db8:1:2::1')).statusCode, 201)
    assert.equal((await register('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).statusCode, 201)
    h.reset()
    assertOAuthError(await register('2001:db8:1:2::99'), 429, 'temporarily_unavailable')
    assertNothingIssued(h)
    assert.equal((await register('2001:db8:1:3::1')).statusCode, 201, 'another /64 is served')
  })
})

describe('trust_proxy trusts exactly what the operator says', () => {
  const MAX = 2
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start({
      rateLimit: { max: MAX, window_seconds: 60 },
      // One trusted hop: the loopback peer is the proxy; what it saw is the last X-Forwarded-For entry.
      urls: { scheme: 'https', trustProxy: true, allowedHosts: ['mcp.test'] },
    })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('the rate-limit key is the address the trusted proxy saw, never the left end of X-Forwarded-For', async () => {
    const register = (forwardedFor: string) =>
      h.registerRaw(
        { redirect_uris: [CLIENT_REDIRECT], token_endpoint_auth_method: 'none' },
        { 'x-forwarded-for': forwardedFor },
      )
    for (let i = 0; i < MAX; i++) assert.equal((await register(`10.9.9.${i}, 203.0.113.77`)).statusCode, 201)
    h.reset()
    // A new made-up left end per request gets no fresh budget.
    const refused = await register('10.9.9.200, 203.0.113.77')
    assertOAuthError(refused, 429, 'temporarily_unavailable')
    assertNothingIssued(h)
    assert.equal((await register('203.0.113.78')).statusCode, 201, 'another client address is served')
  })

  test('metadata documents carry Cache-Control and Vary on the headers that change them', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await h.inject('GET', path)
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['cache-control']), /max-age=\d+/)
      const vary = String(response.headers.vary)
      for (const header of ['Host', 'X-Forwarded-Host', 'X-Forwarded-Proto'])
        assert.ok(vary.includes(header), vary)
    }
  })
})

describe('the issuer is not whatever the Host header says', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    // No base_url: URLs come from the request, for the hosts the operator allowed.
    h = await AttackHarness.start({ urls: { scheme: 'https', allowedHosts: ['mcp.test'] } })
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('without base_url an unknown Host gets a 400 and no metadata, page or token', async () => {
    const evil = { host: 'evil.example' }
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await h.inject('GET', path, { headers: evil })
      assertOAuthError(response, 400, 'invalid_request')
      assert.doesNotMatch(response.body, /evil\.example\/|"issuer"/)
    }
    const { url } = h.authorizeUrl(client.clientId)
    const page = await h.inject('GET', `${url.pathname}${url.search}`, { headers: evil })
    assertErrorPage(page, 400)
    const token = await h.token(
      { grant_type: 'authorization_code', code: 'x', client_id: client.clientId },
      evil,
    )
    assertOAuthError(token, 400, 'invalid_request')
    const guarded = await h.call(undefined, { headers: evil })
    assert.equal(guarded.statusCode, 400)
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
    // The allowed name is served.
    assert.equal((await h.inject('GET', '/.well-known/oauth-authorization-server')).statusCode, 200)
  })
})

describe('single use and pending sign-ins', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start()
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('a consent form approved twice starts one sign-in: the second submission is refused', async () => {
    const visitor = h.visitor()
    const { fields } = await h.openConsent(visitor, h.authorizeUrl(client.clientId))
    const first = await h.decide(visitor, fields)
    assert.ok(handoverTarget(first, new URL('/consent', h.base)), 'the first approval goes on')
    h.reset()
    for (const decision of ['approve', 'deny'] as const) {
      const again = await h.decide(visitor, fields, decision)
      assertErrorPage(again, 403, /already/)
    }
    assertNothingIssued(h)
  })
})

describe('pending sign-ins', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start()
    client = await h.register()
  })
  after(() => h.close())

  test('pending sign-ins are capped per client address; the next approval stores nothing', async () => {
    const other = await h.register({ client_name: 'Other' })
    let started = 0
    for (;;) {
      const visitor = h.visitor()
      const { fields } = await h.openConsent(visitor, h.authorizeUrl(other.clientId))
      const response = await h.decide(visitor, fields)
      if (response.statusCode === 429) {
        assertErrorPage(response, 429, /Too many sign-ins/)
        break
      }
      started++
      assert.ok(started <= 10, 'the cap is 10 pending sign-ins per address')
    }
    assert.equal(started, 10)
    h.reset()
    const visitor = h.visitor()
    const { fields } = await h.openConsent(visitor, h.authorizeUrl(client.clientId))
    assertErrorPage(await h.decide(visitor, fields), 429)
    assertNothingIssued(h)
  })
})

describe('pending sign-ins per client', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start()
  })
  after(() => h.close())

  test('pending sign-ins are capped per client, whatever the addresses; the next approval stores nothing', async () => {
    const client = await h.register({ client_name: 'Crowded' })
    const approveFrom = async (remoteAddress: string) => {
      const visitor = h.visitor()
      const request = h.authorizeUrl(client.clientId)
      const page = await visitor.request({ method: 'GET', url: request.url.href, remoteAddress })
      const fields = formFields(page.body, request.url)
      return visitor.request({
        method: 'POST',
        url: '/consent',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...fields, decision: 'approve' }),
        remoteAddress,
      })
    }
    for (let i = 0; i < 100; i++) {
      const response = await approveFrom(`198.51.${i >> 8}.${i & 255}`)
      assert.ok(
        handoverTarget(response, new URL('/consent', h.base)),
        `approval ${i}: ${response.statusCode}`,
      )
    }
    h.reset()
    assertErrorPage(await approveFrom('203.0.113.200'), 429, /Too many sign-ins/)
    assertNothingIssued(h)
  })
})

describe('redirect URIs on loopback and client authentication', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let basic: RegisteredClient

  before(async () => {
    h = await AttackHarness.start()
    client = await h.register()
    basic = await h.register({ token_endpoint_auth_method: 'client_secret_basic' })
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('a loopback redirect URI matches as written except the port: other spellings, userinfo and dot segments are refused', async () => {
    for (const redirectUri of [
      'http://127.1:8999/callback',
      'http://2130706433:8999/callback',
      'http://0x7f.0.0.1:8999/callback',
      'http://user@127.0.0.1:8999/callback',
      'http://127.0.0.1:8999/x/../callback',
      'http://127.0.0.1:8999/%2e/callback',
      'http://127.0.0.1:8999/callback?x=1',
      'http://localhost:8999/callback',
      'http://[::1]:8999/callback',
    ]) {
      const response = await h
        .visitor()
        .get(h.authorizeUrl(client.clientId, { redirect_uri: redirectUri }).url)
      assertErrorPage(response, 400)
    }
    const otherPort = await h
      .visitor()
      .get(h.authorizeUrl(client.clientId, { redirect_uri: 'http://127.0.0.1:51000/callback' }).url)
    assert.equal(otherPort.statusCode, 200, 'only the port may differ')
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('registration refuses loopback redirect URIs a parser would rewrite', async () => {
    for (const uri of [
      'http://127.1/callback',
      'http://user:pw@127.0.0.1/callback',
      'http://127.0.0.1/a/../callback',
      'http://[0:0:0:0:0:0:0:1]/callback',
    ]) {
      const response = await h.registerRaw({ redirect_uris: [uri], token_endpoint_auth_method: 'none' })
      assertOAuthError(response, 400, 'invalid_redirect_uri')
    }
    assertNothingIssued(h)
  })

  test('a client registered for client_secret_basic is refused when it sends its secret in the body', async () => {
    const token = await h.token({
      grant_type: 'refresh_token',
      refresh_token: 'mxcp_rt_x',
      client_id: basic.clientId,
      client_secret: basic.clientSecret,
    })
    assertOAuthError(token, 401, 'invalid_client')
    assert.match(token.json().error_description, /client_secret_basic/)
    const revoke = await h.inject('POST', '/revoke', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ token: 'mxcp_rt_x', client_id: basic.clientId, client_secret: basic.clientSecret }),
    })
    assertOAuthError(revoke, 401, 'invalid_client')
    assertNothingIssued(h)
    assert.deepEqual(h.store.revoked(), [])
  })

  test('an identity provider answering with an oversized body ends the sign-in with an error; nothing is issued', async () => {
    const visitor = h.visitor()
    const callback = await h.atGitHub(await h.approve(visitor, h.authorizeUrl(client.clientId)))
    h.reset()
    h.standIn.fail('token', 'oversized')
    const response = await visitor.get(callback)
    assert.equal(response.statusCode, 302)
    const back = new URL(String(response.headers.location))
    assert.equal(back.searchParams.get('code'), null)
    assert.ok(back.searchParams.get('error'))
    assertNothingIssued(h)
  })
})

describe('dynamically registered clients expire', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  test('a registered client that never completed a sign-in is unknown after 24 hours', async () => {
    const idle = await h.register({ client_name: 'Never used' })
    h.clock.advance(24 * 3600_000 + 1)
    h.reset()
    const response = await h.visitor().get(h.authorizeUrl(idle.clientId).url)
    assertErrorPage(response, 400, /not registered/)
    assertOAuthError(
      await h.token({ grant_type: 'refresh_token', refresh_token: 'mxcp_rt_x', client_id: idle.clientId }),
      401,
      'invalid_client',
    )
    assertNothingIssued(h)
    assertNoUpstreamCall(h)
  })

  test('a client that signed in stays registered past 24 hours, until unused for 90 days', async () => {
    const used = await h.register({ client_name: 'Used' })
    await h.issue(used)
    h.clock.advance(30 * 24 * 3600_000)
    assert.equal((await h.visitor().get(h.authorizeUrl(used.clientId).url)).statusCode, 200)
    h.clock.advance(61 * 24 * 3600_000)
    h.reset()
    assertErrorPage(await h.visitor().get(h.authorizeUrl(used.clientId).url), 400, /not registered/)
    assertNothingIssued(h)
  })
})
