import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { after, before, beforeEach, describe, test } from 'node:test'
import { TRANSACTION_TTL_MS } from '@mxcp/auth-core/testing'
import {
  AttackHarness,
  type AuthorizationRequestUrl,
  assertErrorPage,
  assertNothingIssued,
  assertNoUpstreamCall,
  assertRedirectError,
  CLIENT_REDIRECT,
  type RegisteredClient,
  type Visitor,
} from '../src/index.js'

/** A loopback port nothing listens on: a provider that answers nothing at all. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * The provider's callback (RFC 6749 §10.12 CSRF; RFC 9700 §4.7, §2.1; MCP security best
 * practices: state single use, short-lived, bound to the browser). Every failure ends in a page
 * or a redirect to the client with an OAuth error, and nothing is minted: no session, no code.
 */
describe('callback', () => {
  let h: AttackHarness
  let client: RegisteredClient

  before(async () => {
    h = await AttackHarness.start({ providerTimeoutMs: 300, standIn: { slowMs: 5_000 } })
    client = await h.register()
  })
  after(() => h.close())
  beforeEach(() => h.reset())

  /** Approves in `visitor` and follows GitHub back: the callback URL, not yet opened. */
  async function pendingCallback(
    visitor: Visitor,
  ): Promise<{ callback: URL; request: AuthorizationRequestUrl }> {
    const request = h.authorizeUrl(client.clientId)
    const callback = await h.atGitHub(await h.approve(visitor, request))
    h.reset()
    return { callback, request }
  }

  function withParams(url: URL, params: Record<string, string | undefined>): URL {
    const changed = new URL(url)
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) changed.searchParams.delete(key)
      else changed.searchParams.set(key, value)
    }
    return changed
  }

  function nothingMinted(): void {
    assertNothingIssued(h)
    assert.equal(h.upstreamTokenCalls(), 0, 'the code was not exchanged upstream')
  }

  test('a forged state is refused with a page; nothing goes upstream and nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback } = await pendingCallback(visitor)
    for (const state of ['forged', 'A'.repeat(43), `${callback.searchParams.get('state')}x`]) {
      const response = await visitor.get(withParams(callback, { state }))
      assertErrorPage(response, 400, /state/i)
    }
    nothingMinted()
    assertNoUpstreamCall(h)
  })

  test('a missing or repeated state is refused with a page', async () => {
    const visitor = h.visitor()
    const { callback } = await pendingCallback(visitor)
    assertErrorPage(await visitor.get(withParams(callback, { state: undefined })), 400, /state/i)
    const repeated = new URL(callback)
    repeated.searchParams.append('state', callback.searchParams.get('state') ?? '')
    assertErrorPage(await visitor.get(repeated), 400, /state/i)
    nothingMinted()
    assertNoUpstreamCall(h)
  })

  test('a replayed state is refused: the transaction is single use', async () => {
    const visitor = h.visitor()
    const { callback } = await pendingCallback(visitor)
    const first = await visitor.get(callback)
    assert.equal(first.statusCode, 302)
    h.reset()
    const replay = await visitor.get(callback)
    assertErrorPage(replay, 400, /state/i)
    nothingMinted()
    assertNoUpstreamCall(h)
  })

  test('an expired state is refused and its code is never exchanged', async () => {
    const visitor = h.visitor()
    const { callback } = await pendingCallback(visitor)
    h.clock.advance(TRANSACTION_TTL_MS + 1)
    assertErrorPage(await visitor.get(callback), 400, /state/i)
    nothingMinted()
  })

  test('a state from another browser is refused, and the login it belonged to dies unused', async () => {
    const victim = h.visitor()
    const attacker = h.visitor()
    // The attacker has a login cookie of its own, from a login it started itself.
    await h.approve(attacker, h.authorizeUrl(client.clientId))
    const { callback } = await pendingCallback(victim)
    assertErrorPage(await attacker.get(callback), 400, /different browser/)
    assertErrorPage(await h.visitor().get(callback), 400, /state/i)
    assertErrorPage(await victim.get(callback), 400, /state/i)
    nothingMinted()
  })

  test('an error from the provider goes back to the client as access_denied; nothing is minted', async () => {
    h.standIn.denyConsent = true
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    assert.equal(callback.searchParams.get('error'), 'access_denied')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'access_denied',
      state: request.state,
      issuer: h.base,
    })
    nothingMinted()
  })

  test("the provider's error text is never reflected to the client or the page", async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    const hostile = withParams(callback, {
      code: undefined,
      error: '<script>alert(1)</script>',
      error_description: '<img src=x onerror=alert(1)> call +1-555-SCAM',
    })
    const response = await visitor.get(hostile)
    const location = assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'access_denied',
      state: request.state,
      issuer: h.base,
    })
    assert.doesNotMatch(location.href, /%3C|<|onerror|SCAM/i)
    nothingMinted()
  })

  test('a callback with a state but no code is a server_error for the client; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    const response = await visitor.get(withParams(callback, { code: undefined }))
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'server_error',
      state: request.state,
      issuer: h.base,
    })
    nothingMinted()
  })

  test('a code the provider refuses to exchange is access_denied; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    h.standIn.fail('token', 'oauth-error')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'access_denied',
      state: request.state,
      issuer: h.base,
    })
    assertNothingIssued(h)
  })

  test('a provider token endpoint that answers garbage is a server_error; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    h.standIn.fail('token', 'malformed')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'server_error',
      state: request.state,
      issuer: h.base,
    })
    assertNothingIssued(h)
  })

  test('a provider token endpoint that answers 5xx is temporarily_unavailable; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    h.standIn.fail('token', 'server-error')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'temporarily_unavailable',
      state: request.state,
      issuer: h.base,
    })
    assertNothingIssued(h)
  })

  test('a provider that does not answer in time is temporarily_unavailable; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    h.standIn.fail('token', 'slow')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'temporarily_unavailable',
      state: request.state,
      issuer: h.base,
    })
    assertNothingIssued(h)
  })

  test('a provider user endpoint that answers garbage is a server_error; nothing is minted', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    h.standIn.fail('user', 'malformed')
    const response = await visitor.get(callback)
    assertRedirectError(response, {
      redirectUri: CLIENT_REDIRECT,
      error: 'server_error',
      state: request.state,
      issuer: h.base,
    })
    assertNothingIssued(h)
  })

  test('a provider that answers nothing at all (connection refused) is temporarily_unavailable; nothing is minted', async () => {
    const port = await closedPort()
    const dead = await AttackHarness.start({
      github: { token_url: `http://127.0.0.1:${port}/login/oauth/access_token` },
    })
    try {
      const deadClient = await dead.register()
      const visitor = dead.visitor()
      const request = dead.authorizeUrl(deadClient.clientId)
      const callback = await dead.atGitHub(await dead.approve(visitor, request))
      dead.reset()
      const response = await visitor.get(callback)
      assertRedirectError(response, {
        redirectUri: CLIENT_REDIRECT,
        error: 'temporarily_unavailable',
        state: request.state,
        issuer: dead.base,
      })
      assertNothingIssued(dead)
    } finally {
      await dead.close()
    }
  })

  test('the callback works once for the right browser (the control case)', async () => {
    const visitor = h.visitor()
    const { callback, request } = await pendingCallback(visitor)
    const response = await visitor.get(callback)
    assert.equal(response.statusCode, 302)
    const location = new URL(String(response.headers.location))
    assert.equal(`${location.origin}${location.pathname}`, CLIENT_REDIRECT)
    assert.match(location.searchParams.get('code') ?? '', /^mxcp_ac_/)
    assert.equal(location.searchParams.get('state'), request.state)
    assert.equal(location.searchParams.get('iss'), h.base)
    assert.deepEqual(h.store.issued().sort(), ['saveCode', 'saveSession'])
  })
})
