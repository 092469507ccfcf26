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
  type AtlassianStandIn,
  followAuthorization,
  startAtlassianStandIn,
} from '@mxcp/testing/stand-ins/atlassian'
import * as atlassianPackage from '../src/index.js'
import { type AtlassianConfig, type AtlassianOptions, atlassian } from '../src/index.js'

const CALLBACK = 'http://127.0.0.1:8000/atlassian/callback'

function configFor(standIn: AtlassianStandIn, extra: Partial<AtlassianConfig> = {}): AtlassianConfig {
  return {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    auth_url: `${standIn.url}/authorize`,
    token_url: `${standIn.url}/oauth/token`,
    userinfo_url: `${standIn.url}/me`,
    ...extra,
  }
}

const kit = upstreamTestKit({ provider: 'atlassian', redirectUri: CALLBACK, follow: followAuthorization })
const { rejectsUpstream } = kit

async function login(
  standIn: AtlassianStandIn,
  extra: Partial<AtlassianConfig> = {},
  options: AtlassianOptions = {},
) {
  return kit.login(atlassian(configFor(standIn, extra), options))
}

describe('Atlassian provider', () => {
  let standIn: AtlassianStandIn
  before(async () => {
    standIn = await startAtlassianStandIn({ slowMs: 1_000 })
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.requests.length = 0
  })

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(atlassianPackage, atlassian, 'atlassian')
    })

    test('missing fields fail with "Atlassian OAuth configuration is incomplete", naming them', () => {
      assertConfigError(
        () => atlassian({ client_secret: 's' }),
        'Atlassian OAuth configuration is incomplete: missing atlassian.client_id',
      )
      assert.throws(() => atlassian({}), /missing atlassian\.client_id, atlassian\.client_secret$/)
    })

    test("a raw block gets the loader's defaults: auth.atlassian.com, api.atlassian.com/me, /atlassian/callback", async () => {
      const raw = atlassian({ client_id: 'id', client_secret: 'secret' })
      const loaded = validateAuthConfig(
        {
          provider: 'atlassian',
          atlassian: { client_id: 'id', client_secret: 'secret' },
        },
        'auth',
        'auth config',
        new ProviderRegistry([atlassian]),
      ).atlassian
      assert.ok(loaded)
      assert.equal(loaded.userinfo_url, 'https://api.atlassian.com/me')
      const params = { state: 's', codeChallenge: 'c', redirectUri: CALLBACK }
      const url = await raw.authorizationUrl(params)
      assert.equal(url.href, (await atlassian(loaded).authorizationUrl(params)).href)
      assert.equal(`${url.origin}${url.pathname}`, 'https://auth.atlassian.com/authorize')
      assert.equal(url.searchParams.get('scope'), 'read:me read:jira-work read:jira-user offline_access')
      assert.equal(raw.callbackPath, '/atlassian/callback')
    })

    test("the guide's example block loads unchanged and its scope is requested", async () => {
      const scope =
        'read:me read:jira-work read:jira-user read:confluence-content.all read:confluence-user offline_access'
      const block = {
        client_id: 'id',
        client_secret: 'secret',
        scope,
        callback_path: '/atlassian/callback',
        auth_url: 'https://auth.atlassian.com/authorize',
        token_url: 'https://auth.atlassian.com/oauth/token',
      }
      const loaded = validateAuthConfig(
        { provider: 'atlassian', atlassian: block },
        'auth',
        'auth config',
        new ProviderRegistry([atlassian]),
      ).atlassian
      assert.ok(loaded)
      const url = await atlassian(loaded).authorizationUrl({
        state: 's',
        codeChallenge: 'c',
        redirectUri: CALLBACK,
      })
      assert.equal(url.searchParams.get('scope'), scope)
    })

    test('an endpoint URL that is not https is refused, except on loopback', () => {
      assert.throws(
        () => atlassian({ client_id: 'a', client_secret: 'b', userinfo_url: 'http://api.example.com/me' }),
        /atlassian\.userinfo_url must be an https URL/,
      )
    })
  })

  describe('authorization URL', () => {
    test('carries audience=api.atlassian.com, prompt=consent, response_type=code, scope, state and an S256 challenge', async () => {
      const url = await kit.assertAuthorizationRequest(atlassian(configFor(standIn)), standIn.clientId)
      assert.equal(url.searchParams.get('audience'), 'api.atlassian.com')
      assert.equal(url.searchParams.get('prompt'), 'consent')
      assert.equal(url.searchParams.get('response_type'), 'code')
      assert.ok(!url.href.includes(standIn.clientSecret))
    })

    test('denied consent comes back as error=access_denied with our state, and no code', async () => {
      standIn.denyConsent = true
      await kit.assertConsentDenied(atlassian(configFor(standIn)))
    })
  })

  describe('code exchange', () => {
    test('the token request is a JSON body with the code, callback, PKCE verifier and our credentials', async () => {
      const clock = new FakeClock()
      const { tokens, verifier } = await login(standIn, {}, { clock })
      const [request] = standIn.requestsTo('token')
      assert.match(String(request?.headers['content-type']), /^application\/json/)
      assert.deepEqual(Object.keys(request?.body ?? {}).sort(), [
        'client_id',
        'client_secret',
        'code',
        'code_verifier',
        'grant_type',
        'redirect_uri',
      ])
      assert.equal(request?.body['grant_type'], 'authorization_code')
      assert.equal(request?.body['code_verifier'], verifier)
      assert.equal(request?.body['redirect_uri'], CALLBACK)
      assert.ok(tokens.refreshToken, 'offline_access brings a refresh token')
      assert.equal(tokens.expiresAt, clock.now() + 3_600_000)
      assert.equal(tokens.scope, 'read:me read:jira-work read:jira-user offline_access')
    })

    test('without offline_access there is no refresh token, and refresh is invalid_grant without a request', async () => {
      const { upstream, tokens } = await login(standIn, { scope: 'read:me read:jira-work' })
      assert.equal(tokens.refreshToken, undefined)
      const before = standIn.requests.length
      await assert.rejects(upstream.refresh!(tokens), { name: 'UpstreamOAuthError', code: 'invalid_grant' })
      assert.equal(standIn.requests.length, before)
    })

    test('an unknown or replayed code is invalid_grant (a 403), without the code in the message', async () => {
      await kit.assertCodeReplayRefused(await login(standIn), 'invalid_grant')
    })

    test('a wrong PKCE verifier is invalid_grant', async () => {
      await kit.assertWrongVerifierRefused(atlassian(configFor(standIn)), 'invalid_grant')
    })

    test('a wrong client secret is access_denied (a 401), and the secret is in no message', async () => {
      const upstream = atlassian({ ...configFor(standIn), client_secret: 'wrong-secret-value' })
      await kit.assertWrongSecretRefused(upstream, 'wrong-secret-value', 'access_denied')
    })
  })

  describe('user info', () => {
    test('maps /me: account_id is the id and the username (the editable nickname decides nothing), email and name; the sites become attributes', async () => {
      const { upstream, tokens } = await login(standIn)
      const user = await upstream.userInfo(tokens)
      assert.equal(user.userId, '5b10ac8d82e05b22cc7d4ef5')
      assert.equal(user.username, '5b10ac8d82e05b22cc7d4ef5')
      assert.deepEqual(user.attributes, {
        cloud_ids: '1324a887-45db-1bf4-1e99-ef0ff456d421',
        site_urls: 'https://your-domain.atlassian.net',
        cloud_id: '1324a887-45db-1bf4-1e99-ef0ff456d421',
      })
      assert.equal(user.email, 'mia@example.com')
      assert.equal(user.name, 'Mia Krystof')
      assert.equal(user.rawProfile['account_type'], 'atlassian')
      assert.equal(standIn.requestsTo('me')[0]?.headers.authorization, `Bearer ${tokens.accessToken}`)
    })

    test('a revoked token makes user info fail with invalid_token', async () => {
      const { upstream, tokens } = await login(standIn)
      standIn.revokeAll()
      await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamOAuthError', code: 'invalid_token' })
    })

    test('a token without read:me is a configuration error naming the scope, not a dead token or a refusal', async () => {
      const { upstream, tokens } = await login(standIn, { scope: 'read:jira-work' })
      await assert.rejects(upstream.userInfo(tokens), {
        name: 'UpstreamResponseError',
        message: /add read:me to atlassian\.scope/,
      })
    })

    test('no accessible site is the guide\'s "No accessible resources found" refusal', async () => {
      const { upstream, tokens } = await login(standIn)
      const sites = standIn.sites
      standIn.sites = []
      try {
        await assert.rejects(upstream.userInfo(tokens), {
          name: 'UpstreamAccountRefusedError',
          code: 'access_denied',
          userMessage: /^No accessible resources found/,
        })
      } finally {
        standIn.sites = sites
      }
    })
  })

  describe('refresh', () => {
    test('rotates: a new refresh token comes back, the spent one is refused', async () => {
      const { upstream, tokens } = await login(standIn)
      const fresh = await upstream.refresh!(tokens)
      assert.notEqual(fresh.refreshToken, tokens.refreshToken)
      assert.notEqual(fresh.accessToken, tokens.accessToken)
      assert.equal((await upstream.userInfo(fresh)).name, 'Mia Krystof')
      const request = standIn.requestsTo('token').at(-1)
      assert.match(String(request?.headers['content-type']), /^application\/json/)
      assert.equal(request?.body['grant_type'], 'refresh_token')
      await assert.rejects(upstream.refresh!(tokens), { name: 'UpstreamOAuthError', code: 'invalid_grant' })
    })

    test('reusing a spent refresh token revokes the whole login, the newest tokens included', async () => {
      const { upstream, tokens } = await login(standIn)
      const fresh = await upstream.refresh!(tokens)
      await assert.rejects(upstream.refresh!(tokens), { code: 'invalid_grant' })
      await assert.rejects(upstream.refresh!(fresh), { code: 'invalid_grant' })
      await assert.rejects(upstream.userInfo(fresh), { code: 'invalid_token' })
    })
  })

  test('there is no revoke: Atlassian has no revocation endpoint for 3LO apps', () => {
    assert.equal(atlassian(configFor(standIn)).revoke, undefined)
  })

  describe('upstream failures surface as the closed error set, without secrets', () => {
    const cases = [
      { endpoint: 'token', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'token', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'token', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'token', failure: 'slow', error: UpstreamUnavailableError },
      { endpoint: 'me', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'me', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'me', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'me', failure: 'slow', error: UpstreamUnavailableError },
    ] as const
    for (const { endpoint, failure, error } of cases) {
      test(`${failure} at ${endpoint} is ${error.name}`, async () => {
        const { upstream, tokens, code, verifier } = await login(standIn, {}, { timeoutMs: 200 })
        standIn.fail(endpoint, failure)
        const secrets = [tokens.accessToken, tokens.refreshToken ?? '', code, verifier, standIn.clientSecret]
        const call = endpoint === 'token' ? upstream.refresh!(tokens) : upstream.userInfo(tokens)
        await rejectsUpstream(call, error, secrets)
      })
    }
  })
})
