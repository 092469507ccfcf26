import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  BASE,
  CLIENT_REDIRECT,
  handoverTarget,
  OidcAttackHarness,
  type OidcAttackHarnessOptions,
} from '../src/index.js'

/**
 * `provider: oidc` against a hostile OpenID Provider (`@mxcp/testing`'s `startHostileOp`): the
 * ID token checks hold, so the attacks go after what is built on the claims. Identity is
 * (issuer, `sub`); only a verified email is an email; identifiers compare exactly or in ASCII
 * case; the session is pinned to its identity; the authorization response must come from our
 * issuer (RFC 9207); upstream answers are bounded and strict. Every refusal is checked on the
 * wire, in the store (nothing issued) and in the logs (nothing of the attacker's payload).
 */

/** The store saw no write (no session, no code, no token). */
function assertNothingStored(h: OidcAttackHarness): void {
  assert.deepEqual(h.store.issued(), [], 'nothing was issued or stored')
}

/** No log line carries `value`. */
function assertNotLogged(h: OidcAttackHarness, value: string): void {
  assert.ok(!h.logText().includes(value), 'the value is not in the logs')
}

/** The callback refused with a 403 page naming `reason`, and stored nothing. */
function assertRefusedPage(
  h: OidcAttackHarness,
  response: { statusCode: number; body: string },
  reason: RegExp,
) {
  assert.equal(response.statusCode, 403)
  assert.match(response.body, reason)
  assert.doesNotMatch(response.body, /mxcp_ac_/, 'no code reaches the page')
  assertNothingStored(h)
}

/** The client got `error` at its redirect URI with our issuer, no code, and nothing was stored. */
function assertRedirectedError(h: OidcAttackHarness, redirect: URL | undefined, error: string): void {
  assert.ok(redirect, 'the browser is sent back to the client')
  assert.equal(`${redirect.origin}${redirect.pathname}`, CLIENT_REDIRECT)
  assert.equal(redirect.searchParams.get('error'), error)
  assert.equal(redirect.searchParams.get('code'), null)
  assert.equal(redirect.searchParams.get('iss'), h.base)
  assertNothingStored(h)
}

/** The consent's answer hands the browser back to the client with `error`, not on to the provider. */
function assertHandedBackWithError(decided: Parameters<typeof handoverTarget>[0], error: string): void {
  const target = handoverTarget(decided, new URL('/consent', BASE))
  assert.ok(target, 'a hand-over page')
  assert.equal(
    `${target.origin}${target.pathname}`,
    CLIENT_REDIRECT,
    'back to the client, not to the provider',
  )
  assert.equal(target.searchParams.get('error'), error)
}

async function withHarness(
  options: OidcAttackHarnessOptions,
  run: (h: OidcAttackHarness, clientId: string) => Promise<void>,
): Promise<void> {
  const h = await OidcAttackHarness.start(options)
  try {
    await run(h, await h.register())
  } finally {
    await h.close()
  }
}

describe('OIDC account takeover (identity is issuer and sub)', () => {
  test('an unverified email does not pass an email allowlist (email_verified false, "false" or absent)', async () => {
    await withHarness(
      { auth: { authorization: { allowed_email_domains: ['example.com'] } } },
      async (h, client) => {
        for (const flag of [false, 'false', undefined]) {
          h.op.behaviour.claims = {
            sub: 'attacker-1',
            email: 'ceo@example.com',
            ...(flag === undefined ? {} : { email_verified: flag }),
          }
          const { response } = await h.login(client)
          assertRefusedPage(h, response, /requires an email address the provider has verified/)
        }
        h.op.behaviour.claims = { sub: 'ceo-1', email: 'ceo@example.com', email_verified: 'true' }
        const { redirect } = await h.login(client)
        assert.ok(
          redirect?.searchParams.get('code'),
          'the string "true" some providers send counts as verified',
        )
      },
    )
  })

  test('an edited preferred_username does not pass a user allowlist: the username is sub by default', async () => {
    await withHarness({ auth: { authorization: { allowed_users: ['ada'] } } }, async (h, client) => {
      h.op.behaviour.claims = { sub: 'mallory-7', preferred_username: 'ada', email_verified: false }
      const { response } = await h.login(client)
      assertRefusedPage(h, response, /The account &quot;mallory-7&quot; is not on this server&#39;s list/)
    })
  })

  test('a look-alike Unicode name does not match an allowlisted ASCII name (no Unicode case folding)', async () => {
    const options = {
      oidc: { username_claim: 'preferred_username' },
      auth: { authorization: { allowed_users: ['kate'] } },
    }
    await withHarness(options, async (h, client) => {
      // U+212A KELVIN SIGN lower-cases to an ASCII "k" under Unicode rules.
      for (const lookAlike of ['\u212Aate', 'ｋａｔｅ', 'kate\u200b']) {
        h.op.behaviour.claims = { sub: 'mallory-8', preferred_username: lookAlike }
        const { response } = await h.login(client)
        assertRefusedPage(h, response, /is not on this server&#39;s list of allowed users/)
      }
      h.op.behaviour.claims = { sub: 'kate-1', preferred_username: 'KATE' }
      const { redirect } = await h.login(client)
      assert.ok(redirect?.searchParams.get('code'), 'ASCII case still does not matter')
    })
  })

  test('a refresh that answers for another sub ends the session with invalid_token, and stores none of it', async () => {
    await withHarness({}, async (h, client) => {
      const accessToken = await h.signIn(client)
      assert.equal((await h.call(accessToken)).statusCode, 200)
      h.op.behaviour.refreshIdTokenClaims = { sub: 'someone-else' }
      h.store.forget()
      h.clock.advance(301 * 1000)
      const first = await h.call(accessToken)
      assert.equal(first.statusCode, 401)
      assert.match(String(first.headers['www-authenticate']), /error="invalid_token"/)
      assert.equal(h.op.requestsTo('token').filter((r) => r.form['grant_type'] === 'refresh_token').length, 1)
      assert.deepEqual(h.store.issued(), [], 'the other user’s tokens were never saved')
      assert.deepEqual(h.store.revoked(), ['deleteSession'])
      assert.match(h.logText(), /session ended: the provider answered about another user/)
      assert.equal((await h.call(accessToken)).statusCode, 401, 'ended for good, not a 503 loop')
    })
  })

  test('a refresh whose ID token names another issuer ends the session with invalid_token', async () => {
    await withHarness({}, async (h, client) => {
      const accessToken = await h.signIn(client)
      h.op.behaviour.refreshIdTokenClaims = { iss: 'https://evil.example' }
      h.store.forget()
      h.clock.advance(301 * 1000)
      const answer = await h.call(accessToken)
      assert.equal(answer.statusCode, 401)
      assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/)
      assert.deepEqual(h.store.issued(), [])
    })
  })

  test('user info about another sub ends the session with invalid_token, and none of it is stored', async () => {
    await withHarness({ auth: { cache_ttl: 60 } }, async (h, client) => {
      const accessToken = await h.signIn(client)
      h.op.behaviour.userinfoClaims = { sub: 'someone-else', name: 'Someone Else' }
      h.store.forget()
      h.clock.advance(61 * 1000)
      const answer = await h.call(accessToken)
      assert.equal(answer.statusCode, 401)
      assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/)
      assert.deepEqual(h.store.issued(), [])
      assert.deepEqual(h.store.revoked(), ['deleteSession'])
      assertNotLogged(h, 'Someone Else')
    })
  })
})

describe('OIDC mix-up defence at the callback (RFC 9207)', () => {
  test('a wrong iss at the callback is refused before the code goes anywhere, announced or not', async () => {
    await withHarness({}, async (h, client) => {
      h.op.behaviour.authorizationIss = 'https://honest-idp.example'
      const { redirect } = await h.login(client)
      assertRedirectedError(h, redirect, 'access_denied')
      assert.equal(h.op.requestsTo('token').length, 0, 'the code was not exchanged')
    })
  })

  test('a missing iss is refused when the provider announces authorization_response_iss_parameter_supported', async () => {
    await withHarness({ behaviour: { announceIss: true, authorizationIss: 'omit' } }, async (h, client) => {
      const { redirect } = await h.login(client)
      assertRedirectedError(h, redirect, 'access_denied')
      assert.equal(h.op.requestsTo('token').length, 0)
      h.op.behaviour.authorizationIss = 'issuer'
      assert.ok((await h.login(client)).redirect?.searchParams.get('code'), 'the right iss passes')
    })
  })
})

describe('OIDC upstream answers are strict and bounded', () => {
  let h: OidcAttackHarness
  let client: string
  before(async () => {
    h = await OidcAttackHarness.start({ providerTimeoutMs: 1_000 })
    client = await h.register()
  })
  after(() => h.close())

  test('a token_type other than Bearer (mac, DPoP, missing) is refused', async () => {
    for (const tokenType of ['mac', 'DPoP', undefined]) {
      h.op.reset()
      h.op.behaviour.tokenType = tokenType
      const { redirect } = await h.login(client)
      assertRedirectedError(h, redirect, 'server_error')
    }
  })

  test('an oversized token response is refused at once, not read whole', async () => {
    h.op.reset()
    h.op.behaviour.hugeBody = { endpoint: 'token', bytes: 50 * 1024 * 1024 }
    const started = Date.now()
    const { redirect } = await h.login(client)
    assertRedirectedError(h, redirect, 'server_error')
    assert.ok(Date.now() - started < 5_000, 'refused at the cap, not after 50 MB')
  })

  test('an over-long claim is neither stored nor logged', async () => {
    h.op.reset()
    const huge = 'N'.repeat(15_000)
    h.op.behaviour.claims = { sub: 'user-1', name: huge, custom: huge }
    const { redirect } = await h.login(client)
    assert.ok(redirect?.searchParams.get('code'))
    const saved = h.store.calls.find((call) => call.method === 'saveSession')?.argument
    assert.ok(typeof saved === 'object' && saved !== null && 'user' in saved)
    assert.ok(JSON.stringify(saved.user).length < 2_000, 'the session user holds only bounded claims')
    assert.deepEqual(Object.keys((saved.user as { rawProfile: object }).rawProfile), ['sub'])
    assertNotLogged(h, 'N'.repeat(256))
    h.op.behaviour.claims = { sub: 'user-1', name: 'N'.repeat(100_000) }
    const tooBig = await h.login(client)
    assertRedirectedError(h, tooBig.redirect, 'server_error')
  })

  test('a body that stalls past the deadline sends the client back with temporarily_unavailable, never a 500 page', async () => {
    h.op.reset()
    h.op.behaviour.stall = { endpoint: 'token', ms: 5_000 }
    const { response, redirect } = await h.login(client)
    assert.equal(response.statusCode, 302)
    assertRedirectedError(h, redirect, 'temporarily_unavailable')
  })

  test('a discovery document that moves the token endpoint to plain http off loopback is refused', async () => {
    await withHarness(
      { behaviour: { discovery: { token_endpoint: 'http://attacker.example/token' } } },
      async (other, otherClient) => {
        const { decided } = await other.approve(otherClient)
        assertHandedBackWithError(decided, 'server_error')
        assert.equal(other.op.requestsTo('authorize').length, 0)
        assert.equal(other.op.requestsTo('token').length, 0)
        assert.ok(!other.store.issued().includes('saveSession'))
      },
    )
  })

  test('a discovery document naming another issuer is refused', async () => {
    await withHarness(
      { behaviour: { discovery: { issuer: 'https://evil.example' } } },
      async (other, otherClient) => {
        const { decided } = await other.approve(otherClient)
        assertHandedBackWithError(decided, 'server_error')
        assert.equal(other.op.requestsTo('authorize').length, 0)
      },
    )
  })

  test('the server starts while the provider is down; a sign-in then is temporarily_unavailable, with a clear log line', async () => {
    await withHarness({}, async (down, downClient) => {
      await down.op.close()
      const { decided } = await down.approve(downClient)
      assertHandedBackWithError(decided, 'temporarily_unavailable')
      assert.ok(!down.store.issued().includes('saveTransaction'), 'no sign-in was started')
      assert.match(
        down.logText(),
        /OpenID discovery failed \(oidc could not be reached at [^)]*\); sign-ins fail until it succeeds, next attempt in 1000 ms/,
      )
    })
  })

  test('one failed token request never changes the client authentication method', async () => {
    h.op.reset()
    h.op.behaviour.tokenError = { status: 401, error: 'invalid_client', times: 1 }
    const { redirect } = await h.login(client)
    assertRedirectedError(h, redirect, 'access_denied')
    const second = await h.login(client)
    assert.ok(second.redirect?.searchParams.get('code'), 'the next sign-in works')
    const methods = h.op.requestsTo('token').map((r) => (r.headers.authorization ? 'basic' : 'post'))
    assert.deepEqual(methods, ['basic', 'basic'])
  })

  test('a user revocation the provider refuses with invalid_client never changes how sign-ins authenticate', async () => {
    h.op.reset()
    const { refreshToken } = await h.signInTokens(client)
    h.op.behaviour.revokeError = { status: 401, error: 'invalid_client' }
    assert.equal((await h.revoke(client, refreshToken)).statusCode, 200)
    assert.equal(h.op.requestsTo('revoke').length, 1, 'the provider was asked')
    const next = await h.login(client)
    assert.ok(next.redirect?.searchParams.get('code'), 'the next sign-in works')
    const methods = h.op.requestsTo('token').map((r) => (r.headers.authorization ? 'basic' : 'post'))
    assert.deepEqual(methods, ['basic', 'basic'])
  })
})
