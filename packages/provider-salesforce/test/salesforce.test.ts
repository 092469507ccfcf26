import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  ProviderRegistry,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
  validateAuthConfig,
} from '@mxcp/auth-core'
import { assertConfigError, assertProviderExports, FakeClock, upstreamTestKit } from '@mxcp/auth-core/testing'
import {
  followAuthorization,
  type SalesforceStandIn,
  startSalesforceStandIn,
} from '@mxcp/testing/stand-ins/salesforce'
import * as salesforcePackage from '../src/index.js'
import { type SalesforceConfig, type SalesforceOptions, salesforce } from '../src/index.js'

const CALLBACK = 'http://127.0.0.1:8000/salesforce/callback'

function configFor(standIn: SalesforceStandIn, extra: Partial<SalesforceConfig> = {}): SalesforceConfig {
  return {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    auth_url: `${standIn.url}/services/oauth2/authorize`,
    token_url: `${standIn.url}/services/oauth2/token`,
    ...extra,
  }
}

const kit = upstreamTestKit({ provider: 'salesforce', redirectUri: CALLBACK, follow: followAuthorization })
const { rejectsUpstream } = kit

async function login(
  standIn: SalesforceStandIn,
  extra: Partial<SalesforceConfig> = {},
  options: SalesforceOptions = {},
) {
  return kit.login(salesforce(configFor(standIn, extra), options))
}

/** A fetch that rewrites fields of the token endpoint's JSON answer, as a tampering middlebox would. */
function tamperingFetch(patch: Record<string, unknown>): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    if (!String(input).includes('/services/oauth2/token')) return response
    const body = { ...((await response.json()) as Record<string, unknown>), ...patch }
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers })
  }
}

describe('Salesforce provider', () => {
  let standIn: SalesforceStandIn
  let clock: FakeClock
  before(async () => {
    clock = new FakeClock()
    standIn = await startSalesforceStandIn({ slowMs: 1_000, now: () => clock.now() })
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.requests.length = 0
  })

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(salesforcePackage, salesforce, 'salesforce')
    })

    test('missing fields fail with "Salesforce OAuth configuration is incomplete", naming them', () => {
      assertConfigError(
        () => salesforce({ client_id: 'id' }),
        'Salesforce OAuth configuration is incomplete: missing salesforce.client_secret',
      )
    })

    test("a raw block gets the loader's defaults: login.salesforce.com, the guide's scope, /salesforce/callback", async () => {
      const raw = salesforce({ client_id: 'id', client_secret: 'secret' })
      const loaded = validateAuthConfig(
        {
          provider: 'salesforce',
          salesforce: { client_id: 'id', client_secret: 'secret' },
        },
        'auth',
        'auth config',
        new ProviderRegistry([salesforce]),
      ).salesforce
      assert.ok(loaded)
      const params = { state: 's', codeChallenge: 'c', redirectUri: CALLBACK }
      const url = await raw.authorizationUrl(params)
      assert.equal(url.href, (await salesforce(loaded).authorizationUrl(params)).href)
      assert.equal(`${url.origin}${url.pathname}`, 'https://login.salesforce.com/services/oauth2/authorize')
      assert.equal(url.searchParams.get('scope'), 'api refresh_token openid profile email')
      assert.equal(raw.callbackPath, '/salesforce/callback')
    })

    test("the guide's sandbox block loads unchanged; authorization and revocation go to test.salesforce.com", async () => {
      const block = {
        client_id: 'id',
        client_secret: 'secret',
        auth_url: 'https://test.salesforce.com/services/oauth2/authorize',
        token_url: 'https://test.salesforce.com/services/oauth2/token',
        scope: 'api refresh_token openid profile email',
        callback_path: '/salesforce/callback',
      }
      const loaded = validateAuthConfig(
        { provider: 'salesforce', salesforce: block },
        'auth',
        'auth config',
        new ProviderRegistry([salesforce]),
      ).salesforce
      assert.ok(loaded)
      const called: string[] = []
      // Records the URL and answers like Salesforce would: nothing leaves the machine.
      const offline: typeof fetch = async (input) => {
        called.push(String(input))
        return new Response(null, { status: 200 })
      }
      const upstream = salesforce(loaded, { fetch: offline })
      const url = await upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      assert.equal(url.host, 'test.salesforce.com')
      await upstream.revoke!({ accessToken: 'a' })
      assert.deepEqual(called, ['https://test.salesforce.com/services/oauth2/revoke'])
    })

    test('an endpoint URL that is not https is refused, except on loopback', () => {
      assert.throws(
        () => salesforce({ client_id: 'a', client_secret: 'b', auth_url: 'http://login.salesforce.com/x' }),
        /salesforce\.auth_url must be an https URL/,
      )
    })
  })

  describe('authorization URL', () => {
    test('carries response_type=code, our client id, callback, scope, state and an S256 challenge', async () => {
      const url = await kit.assertAuthorizationRequest(salesforce(configFor(standIn)), standIn.clientId)
      assert.equal(`${url.origin}${url.pathname}`, `${standIn.url}/services/oauth2/authorize`)
      assert.equal(url.searchParams.get('response_type'), 'code')
      assert.equal(url.searchParams.get('scope'), 'api refresh_token openid profile email')
    })

    test('denied consent comes back as error=access_denied with our state, and no code', async () => {
      standIn.denyConsent = true
      await kit.assertConsentDenied(salesforce(configFor(standIn)))
    })
  })

  describe('code exchange', () => {
    test('keeps instance_url and the identity URL as extras; the expiry is issued_at plus the session timeout (no expires_in)', async () => {
      const { tokens, verifier } = await login(standIn)
      const [request] = standIn.requestsTo('token')
      assert.match(String(request?.headers['content-type']), /^application\/x-www-form-urlencoded/)
      assert.equal(request?.body['code_verifier'], verifier)
      assert.equal(request?.body['redirect_uri'], CALLBACK)
      assert.equal(tokens.extra?.['instance_url'], standIn.instanceUrl)
      assert.equal(tokens.extra?.['id'], standIn.identityUrl())
      // The stand-in's `issued_at` is its clock's now.
      assert.equal(tokens.expiresAt, clock.now() + 7_200_000, 'the default session timeout: 2 hours')
      const shorter = await login(standIn, { session_timeout_seconds: 900 })
      assert.equal(shorter.tokens.expiresAt, clock.now() + 900_000)
      assert.ok(tokens.refreshToken, 'the refresh_token scope brings a refresh token')
      assert.match(tokens.accessToken, /^00Dxx0000001gPL!/)
    })

    test('a token response whose signature does not match its identity URL is refused', async () => {
      const options = {
        fetch: tamperingFetch({ id: `${standIn.url}/id/00Dxx0000001gPLEAY/005OTHERUSER00AAA` }),
      }
      await assert.rejects(login(standIn, {}, options), (error: unknown) => {
        assert.ok(error instanceof UpstreamResponseError)
        assert.match(error.message, /signature/)
        return true
      })
    })

    test('an unknown or replayed code is invalid_grant, without the code in the message', async () => {
      await kit.assertCodeReplayRefused(await login(standIn), 'invalid_grant')
    })

    test('a wrong PKCE verifier is invalid_grant', async () => {
      await kit.assertWrongVerifierRefused(salesforce(configFor(standIn)), 'invalid_grant')
    })

    test('a wrong client secret is invalid_client, and the secret is in no message', async () => {
      const upstream = salesforce({ ...configFor(standIn), client_secret: 'wrong-secret-value' })
      await kit.assertWrongSecretRefused(upstream, 'wrong-secret-value', 'invalid_client')
    })
  })

  describe('user info', () => {
    test('comes from the org that issued the token (instance_url), not from the login host', async () => {
      const { upstream, tokens } = await login(standIn)
      const user = await upstream.userInfo(tokens)
      const requests = standIn.requestsTo('userinfo')
      assert.equal(requests.length, 1)
      assert.equal(requests[0]?.origin, standIn.instanceUrl)
      assert.equal(requests[0]?.headers.authorization, `Bearer ${tokens.accessToken}`)
      assert.equal(user.userId, '005xx000001SwiUAAS')
      assert.equal(user.username, 'jane.doe@acme.example')
      assert.equal(user.email, 'jane.doe@acme.example')
      assert.equal(user.name, 'Jane Doe')
      assert.deepEqual(user.organizations, ['00Dxx0000001gPLEAY'])
      assert.equal(user.rawProfile['user_type'], 'STANDARD')
    })

    test('an unverified email is not the email (email_verified must be true)', async () => {
      const user = standIn.user
      standIn.user = { ...user, email_verified: false }
      try {
        const { upstream, tokens } = await login(standIn)
        assert.equal((await upstream.userInfo(tokens)).email, undefined)
      } finally {
        standIn.user = user
      }
    })

    test('a 15-character id is matched as its 18-character form (canonicalId)', () => {
      const upstream = salesforce(configFor(standIn))
      assert.equal(upstream.canonicalId?.('005xx000001SwiU'), '005xx000001SwiUAAS')
      assert.equal(
        upstream.canonicalId?.('005XX000001SWIUAAS'),
        '005xx000001SwiUAAS',
        'case restored from the suffix',
      )
      assert.notEqual(
        upstream.canonicalId?.('005XX000001SWIU'),
        '005xx000001SwiUAAS',
        '15 characters are case-sensitive',
      )
    })

    test('No_Oauth_Scope from user info is a configuration error naming the scope, not a dead token or a refusal', async () => {
      const { upstream, tokens } = await login(standIn, { scope: 'api refresh_token' })
      await assert.rejects(upstream.userInfo(tokens), {
        name: 'UpstreamResponseError',
        message: /missing scope/,
      })
    })

    test('a configured userinfo_url is used instead of the org host', async () => {
      const { upstream, tokens } = await login(standIn, {
        userinfo_url: `${standIn.url}/services/oauth2/userinfo`,
      })
      await upstream.userInfo(tokens)
      assert.equal(standIn.requestsTo('userinfo')[0]?.origin, standIn.url)
    })

    test('an instance_url that is not https is refused before the token is sent there', async () => {
      const options = {
        fetch: tamperingFetch({ instance_url: 'http://org.example.com' }),
      }
      const { upstream, tokens } = await login(standIn, {}, options)
      await rejectsUpstream(upstream.userInfo(tokens), UpstreamResponseError, [tokens.accessToken])
      assert.equal(standIn.requestsTo('userinfo').length, 0)
    })

    test("without expires_in, a token past the org's session timeout is found dead by user info, and refresh revives it", async () => {
      const { upstream, tokens } = await login(standIn)
      assert.equal((await upstream.userInfo(tokens)).userId, '005xx000001SwiUAAS')
      clock.advance(2 * 3600_000 + 1)
      await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamOAuthError', code: 'invalid_token' })
      const fresh = await upstream.refresh!(tokens)
      assert.equal((await upstream.userInfo(fresh)).userId, '005xx000001SwiUAAS')
    })

    test('a revoked token makes user info fail with invalid_token', async () => {
      const { upstream, tokens } = await login(standIn)
      standIn.revokeAll()
      await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamOAuthError', code: 'invalid_token' })
    })
  })

  describe('refresh', () => {
    test('without rotation the refresh token is kept, and the org URLs come fresh from the answer', async () => {
      const { upstream, tokens } = await login(standIn)
      const fresh = await upstream.refresh!(tokens)
      assert.notEqual(fresh.accessToken, tokens.accessToken)
      assert.equal(fresh.refreshToken, tokens.refreshToken)
      assert.equal(fresh.extra?.['instance_url'], standIn.instanceUrl)
      assert.equal(standIn.requestsTo('token').at(-1)?.body['grant_type'], 'refresh_token')
      assert.ok(await upstream.refresh!(fresh), 'the same refresh token works again')
    })

    test('with rotation enabled the new refresh token replaces the spent one', async () => {
      const rotating = await startSalesforceStandIn({ rotateRefreshTokens: true })
      try {
        const { upstream, tokens } = await login(rotating)
        const fresh = await upstream.refresh!(tokens)
        assert.notEqual(fresh.refreshToken, tokens.refreshToken)
        await assert.rejects(upstream.refresh!(tokens), { name: 'UpstreamOAuthError', code: 'invalid_grant' })
        assert.ok(await upstream.refresh!(fresh))
      } finally {
        await rotating.close()
      }
    })

    test('a revoked refresh token is invalid_grant', async () => {
      const { upstream, tokens } = await login(standIn)
      standIn.revokeToken(tokens.refreshToken ?? '')
      await assert.rejects(upstream.refresh!(tokens), { name: 'UpstreamOAuthError', code: 'invalid_grant' })
    })
  })

  describe('revoke', () => {
    test('posts the refresh token to the login host; the access tokens die with it', async () => {
      const { upstream, tokens } = await login(standIn)
      await upstream.revoke!(tokens)
      const [request] = standIn.requestsTo('revoke')
      assert.equal(request?.origin, standIn.url)
      assert.equal(request?.body['token'], tokens.refreshToken)
      await assert.rejects(upstream.userInfo(tokens), { code: 'invalid_token' })
      await assert.rejects(upstream.refresh!(tokens), { code: 'invalid_grant' })
    })

    test('revoking a token Salesforce no longer knows (400 invalid_token) succeeds', async () => {
      const { upstream, tokens } = await login(standIn)
      await upstream.revoke!(tokens)
      await upstream.revoke!(tokens)
    })

    test('without a refresh token the access token is revoked', async () => {
      const { upstream, tokens } = await login(standIn, { scope: 'api openid' })
      assert.equal(tokens.refreshToken, undefined)
      await upstream.revoke!(tokens)
      assert.equal(standIn.requestsTo('revoke')[0]?.body['token'], tokens.accessToken)
      await assert.rejects(upstream.userInfo(tokens), { code: 'invalid_token' })
    })
  })

  describe('upstream failures surface as the closed error set, without secrets', () => {
    const cases = [
      { endpoint: 'token', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'token', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'token', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'token', failure: 'slow', error: UpstreamUnavailableError },
      { endpoint: 'userinfo', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'userinfo', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'userinfo', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'userinfo', failure: 'slow', error: UpstreamUnavailableError },
      { endpoint: 'revoke', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'revoke', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'revoke', failure: 'slow', error: UpstreamUnavailableError },
    ] as const
    for (const { endpoint, failure, error } of cases) {
      test(`${failure} at ${endpoint} is ${error.name}`, async () => {
        const { upstream, tokens, code, verifier } = await login(standIn, {}, { timeoutMs: 200 })
        standIn.fail(endpoint, failure)
        const secrets = [tokens.accessToken, tokens.refreshToken ?? '', code, verifier, standIn.clientSecret]
        const call =
          endpoint === 'token'
            ? upstream.refresh!(tokens)
            : endpoint === 'revoke'
              ? upstream.revoke!(tokens)
              : upstream.userInfo(tokens)
        await rejectsUpstream(call, error, secrets)
      })
    }
  })
})
