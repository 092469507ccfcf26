import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import {
  AttackHarness,
  assertErrorPage,
  assertNothingIssued,
  assertOAuthError,
  CLIENT_REDIRECT,
  formBody,
  type RegisteredClient,
} from '../src/index.js'

const MAX = 3
const WINDOW_SECONDS = 60
const ATTACKER = '203.0.113.66'
const BYSTANDER = '198.51.100.7'

/** A 429 with a Retry-After within the window (RFC 6585 §4, RFC 9110 §10.2.3). */
function assertRateLimited(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 429, response.body)
  const retryAfter = Number(response.headers['retry-after'])
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= WINDOW_SECONDS,
    `Retry-After ${retryAfter}`,
  )
}

/**
 * Rate limits (RFC 6819 §4.4.1.11 and §5.1.4.2.3: bound what one source can try; `auth.rate_limit`)
 * on `/register`, `/token` and `/authorize`, per client IP, and body size limits on every endpoint.
 * Only this file turns rate limiting on, with small limits; every other harness runs without it.
 */
describe('rate limits', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({ rateLimit: { max: MAX, window_seconds: WINDOW_SECONDS } })
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  const registration = JSON.stringify({
    redirect_uris: [CLIENT_REDIRECT],
    token_endpoint_auth_method: 'none',
  })
  const register = (remoteAddress: string) =>
    h.inject('POST', '/register', {
      headers: { 'content-type': 'application/json' },
      payload: registration,
      remoteAddress,
    })

  test('/register beyond the limit answers 429 with Retry-After, and the refused request stores nothing', async () => {
    for (let i = 0; i < MAX; i++) assert.equal((await register(ATTACKER)).statusCode, 201)
    h.reset()
    const refused = await register(ATTACKER)
    assertRateLimited(refused)
    assertOAuthError(refused, 429, 'temporarily_unavailable')
    assert.equal(refused.headers['cache-control'], 'no-store')
    assertNothingIssued(h)
  })

  test('the limit is per client IP: another address is still served', async () => {
    assertRateLimited(await register(ATTACKER))
    assert.equal((await register(BYSTANDER)).statusCode, 201)
  })

  test('/token beyond the limit answers 429 with Retry-After and no-store', async () => {
    const guess = () =>
      h.token(
        {
          grant_type: 'authorization_code',
          code: 'mxcp_ac_guess',
          code_verifier: 'A'.repeat(43),
          redirect_uri: CLIENT_REDIRECT,
          client_id: client.clientId,
        },
        {},
        ATTACKER,
      )
    for (let i = 0; i < MAX; i++) assertOAuthError(await guess(), 400, 'invalid_grant')
    const refused = await guess()
    assertRateLimited(refused)
    assertOAuthError(refused, 429, 'temporarily_unavailable')
    assert.equal(refused.headers['cache-control'], 'no-store')
  })

  test('/authorize beyond the limit answers 429 with Retry-After, as a page', async () => {
    const url = h.authorizeUrl(client.clientId).url
    const open = () => h.inject('GET', `${url.pathname}${url.search}`, { remoteAddress: ATTACKER })
    for (let i = 0; i < MAX; i++) assert.equal((await open()).statusCode, 200)
    const refused = await open()
    assertRateLimited(refused)
    assertErrorPage(refused, 429, /Too many requests/)
    assert.equal(refused.headers['x-frame-options'], 'DENY')
  })

  test('each endpoint counts on its own, and the metadata and the guard are not limited', async () => {
    const address = '192.0.2.10'
    for (let i = 0; i <= MAX; i++) await register(address)
    assertRateLimited(await register(address))
    const url = h.authorizeUrl(client.clientId).url
    assert.equal(
      (await h.inject('GET', `${url.pathname}${url.search}`, { remoteAddress: address })).statusCode,
      200,
    )
    for (let i = 0; i <= MAX * 2; i++) {
      const metadata = await h.inject('GET', '/.well-known/oauth-authorization-server', {
        remoteAddress: address,
      })
      assert.equal(metadata.statusCode, 200)
    }
  })
})

describe('rate limits switched off', () => {
  test('with rate_limit.enabled false, no request is refused for its rate', async () => {
    const h = await AttackHarness.start()
    try {
      for (let i = 0; i < 80; i++) {
        const response = await h.registerRaw({
          redirect_uris: [CLIENT_REDIRECT],
          token_endpoint_auth_method: 'none',
        })
        assert.equal(response.statusCode, 201)
      }
    } finally {
      await h.close()
    }
  })
})

describe('body limits', () => {
  let h: AttackHarness

  before(async () => {
    h = await AttackHarness.start()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  const big = formBody({ padding: 'x'.repeat(20 * 1024) })

  test('every endpoint that reads a body refuses one above 16 KiB with 413, storing nothing', async () => {
    for (const path of ['/token', '/revoke', '/consent', '/register']) {
      const type = path === '/register' ? 'application/json' : 'application/x-www-form-urlencoded'
      const payload = path === '/register' ? JSON.stringify({ padding: 'x'.repeat(20 * 1024) }) : big
      const response = await h.inject('POST', path, { headers: { 'content-type': type }, payload })
      assert.equal(response.statusCode, 413, `${path}: ${response.body.slice(0, 200)}`)
    }
    assertNothingIssued(h)
  })

  test('CORS preflights refuse a large body too (413); the pages have no preflight at all', async () => {
    const preflight = (path: string) =>
      h.inject('OPTIONS', path, {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
        },
        payload: big,
      })
    for (const path of [
      '/token',
      '/register',
      '/revoke',
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      assert.equal((await preflight(path)).statusCode, 413, `OPTIONS ${path}`)
    }
    for (const path of ['/authorize', '/consent', '/github/callback']) {
      assert.equal((await preflight(path)).statusCode, 404, `OPTIONS ${path}`)
    }
  })

  test('the 413 of a JSON endpoint is an OAuth error, and of a page an HTML page', async () => {
    const token = await h.inject('POST', '/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: big,
    })
    assertOAuthError(token, 413, 'invalid_request')
    const consent = await h.inject('POST', '/consent', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: big,
    })
    assertErrorPage(consent, 413)
  })
})
