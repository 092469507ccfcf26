import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  ProviderRegistry,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
  validateAuthConfig,
} from '@mxcp/auth-core'
import {
  assertConfigError,
  assertProviderExports,
  FakeClock,
  sha256Base64Url,
  upstreamTestKit,
} from '@mxcp/auth-core/testing'
import { followAuthorization, type GitHubStandIn, startGitHubStandIn } from '@mxcp/testing/stand-ins/github'
import * as githubPackage from '../src/index.js'
import { type GitHubConfig, type GitHubOptions, github } from '../src/index.js'

const CALLBACK = 'http://127.0.0.1:8000/github/callback'

function configFor(standIn: GitHubStandIn, extra: Partial<GitHubConfig> = {}): GitHubConfig {
  return {
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
    auth_url: `${standIn.url}/login/oauth/authorize`,
    token_url: `${standIn.url}/login/oauth/access_token`,
    api_url: standIn.apiUrl,
    ...extra,
  }
}

const kit = upstreamTestKit({ provider: 'github', redirectUri: CALLBACK, follow: followAuthorization })
const { rejectsUpstream } = kit

/** Runs the browser part of a login and the code exchange; returns the tokens. */
async function login(standIn: GitHubStandIn, extra: Partial<GitHubConfig> = {}, options: GitHubOptions = {}) {
  return kit.login(github(configFor(standIn, extra), options))
}

describe('GitHub provider', () => {
  let standIn: GitHubStandIn
  let octocat: GitHubStandIn['user']
  before(async () => {
    standIn = await startGitHubStandIn({ slowMs: 1_000 })
    octocat = standIn.user
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.rateLimited = false
    standIn.requests.length = 0
    standIn.user = octocat
  })

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(githubPackage, github, 'github')
      assert.equal(github({ client_id: 'a', client_secret: 'b' }).id, 'github')
    })

    test('missing client_id and client_secret fail with "GitHub OAuth configuration is incomplete", naming both', () => {
      assertConfigError(
        () => github({}),
        'GitHub OAuth configuration is incomplete: missing github.client_id, github.client_secret',
      )
      assert.throws(() => github({ client_id: 'x', client_secret: '  ' }), /missing github\.client_secret$/)
    })

    test('a raw block gets the same defaults as the config loader: github.com URLs, user:email, /github/callback', async () => {
      const raw = github({ client_id: 'id', client_secret: 'secret' })
      const loaded = validateAuthConfig(
        { provider: 'github', github: { client_id: 'id', client_secret: 'secret' } },
        'auth',
        'auth config',
        new ProviderRegistry([github]),
      ).github
      assert.ok(loaded)
      const fromLoader = github(loaded)
      const params = { state: 's', codeChallenge: 'c', redirectUri: CALLBACK }
      const url = await raw.authorizationUrl(params)
      assert.equal(url.href, (await fromLoader.authorizationUrl(params)).href)
      assert.equal(`${url.origin}${url.pathname}`, 'https://github.com/login/oauth/authorize')
      assert.equal(url.searchParams.get('scope'), 'user:email')
      assert.equal(raw.callbackPath, '/github/callback')
      assert.equal(fromLoader.callbackPath, '/github/callback')
      assert.equal(raw.label, 'GitHub')
    })

    test('an endpoint URL that is not https is refused, except on loopback', () => {
      assert.throws(
        () => github({ client_id: 'a', client_secret: 'b', token_url: 'http://github.example.com/t' }),
        /github\.token_url must be an https URL/,
      )
      assert.throws(
        () => github({ client_id: 'a', client_secret: 'b', api_url: 'not a url' }),
        /github\.api_url is not an absolute URL/,
      )
      assert.doesNotThrow(() =>
        github({ client_id: 'a', client_secret: 'b', api_url: 'http://127.0.0.1:9/api/v3' }),
      )
    })
  })

  describe('authorization URL', () => {
    test('carries our client id, callback, scope, state and an S256 challenge, and no secret', async () => {
      const upstream = github(configFor(standIn, { scope: 'user:email read:org' }))
      const url = await kit.assertAuthorizationRequest(upstream, standIn.clientId)
      assert.equal(`${url.origin}${url.pathname}`, `${standIn.url}/login/oauth/authorize`)
      assert.equal(url.searchParams.get('scope'), 'user:email read:org')
      assert.ok(!url.href.includes(standIn.clientSecret))
    })

    test('denied consent comes back to our callback as error=access_denied with our state, and no code', async () => {
      standIn.denyConsent = true
      await kit.assertConsentDenied(github(configFor(standIn)))
    })
  })

  describe('code exchange', () => {
    test('sends the PKCE verifier, our credentials and the callback in a form body, asking for JSON', async () => {
      const { tokens, verifier } = await login(standIn)
      const [request] = standIn.requestsTo('token')
      assert.ok(request)
      assert.match(String(request.headers['content-type']), /^application\/x-www-form-urlencoded/)
      assert.match(String(request.headers.accept), /application\/json/)
      assert.equal(request.body['code_verifier'], verifier)
      assert.equal(request.body['client_id'], standIn.clientId)
      assert.equal(request.body['client_secret'], standIn.clientSecret)
      assert.equal(request.body['redirect_uri'], CALLBACK)
      assert.match(tokens.accessToken, /^gho_/)
      assert.equal(tokens.refreshToken, undefined)
      assert.equal(tokens.expiresAt, undefined, 'classic OAuth app tokens do not expire')
      assert.equal(tokens.scope, 'user:email')
    })

    test('a form-encoded token answer (GitHub without Accept: application/json) is understood', async () => {
      // A proxy that drops the Accept header: GitHub then answers form-encoded.
      const dropAccept: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers)
        headers.delete('accept')
        return fetch(input, { ...init, headers })
      }
      const { tokens } = await login(standIn, { scope: 'user:email read:org' }, { fetch: dropAccept })
      assert.match(tokens.accessToken, /^gho_/)
      assert.equal(tokens.scope, 'user:email read:org', 'comma-separated scopes become space-separated')
    })

    test("GitHub's HTTP 200 with an error field is an UpstreamOAuthError keeping the code, without the code in the message", async () => {
      const upstream = github(configFor(standIn))
      await rejectsUpstream(upstream.exchangeCode('not-a-code', 'verifier', CALLBACK), UpstreamOAuthError, [
        'not-a-code',
        'verifier',
      ])
      await assert.rejects(upstream.exchangeCode('not-a-code', 'verifier', CALLBACK), {
        code: 'bad_verification_code',
      })
    })

    test('a code works once: the replay is refused', async () => {
      const { upstream, code, verifier } = await login(standIn)
      await assert.rejects(upstream.exchangeCode(code, verifier, CALLBACK), {
        name: 'UpstreamOAuthError',
        code: 'bad_verification_code',
      })
    })

    test('a wrong PKCE verifier is refused and no token is issued', async () => {
      const upstream = github(configFor(standIn))
      const back = await kit.followBack(upstream, {
        state: 's',
        codeChallenge: sha256Base64Url('right'),
      })
      const code = back.searchParams.get('code') ?? ''
      await rejectsUpstream(upstream.exchangeCode(code, 'wrong', CALLBACK), UpstreamOAuthError, [code])
      assert.equal(standIn.requestsTo('user').length, 0)
    })

    test('a wrong client secret is incorrect_client_credentials, and the secret is in no message', async () => {
      const upstream = github({ ...configFor(standIn), client_secret: 'wrong-secret-value' })
      await assert.rejects(upstream.exchangeCode('c', 'v', CALLBACK), (error: unknown) => {
        assert.ok(error instanceof UpstreamOAuthError)
        assert.equal(error.code, 'incorrect_client_credentials')
        assert.ok(!error.message.includes('wrong-secret-value'))
        return true
      })
    })
  })

  describe('user info', () => {
    test('maps id, login and name, and takes the primary verified email from /user/emails when /user has none', async () => {
      const { upstream, tokens } = await login(standIn)
      const user = await upstream.userInfo(tokens)
      assert.equal(user.userId, '583231')
      assert.equal(user.username, 'octocat')
      assert.equal(user.name, 'The Octocat')
      assert.equal(user.email, 'octocat@github.com')
      assert.equal(user.organizations, undefined)
      assert.equal(user.rawProfile['login'], 'octocat')
      for (const request of [...standIn.requestsTo('user'), ...standIn.requestsTo('emails')]) {
        assert.equal(
          request.headers['user-agent'],
          'mxcp-auth',
          'GitHub refuses API calls without a User-Agent',
        )
        assert.equal(request.headers.authorization, `Bearer ${tokens.accessToken}`)
      }
    })

    test('the public email on /user is not the email: only the primary verified address from /user/emails is', async () => {
      standIn.user = { ...standIn.user, email: 'public@octo.example' }
      const { upstream, tokens } = await login(standIn)
      assert.equal((await upstream.userInfo(tokens)).email, 'octocat@github.com')
      assert.equal(standIn.requestsTo('emails').length, 1)
    })

    test('a verified address that is not the primary one is not used', async () => {
      standIn.user = {
        ...standIn.user,
        emails: [
          { email: 'side@octo.example', primary: false, verified: true, visibility: 'public' },
          { email: 'main@octo.example', primary: true, verified: false, visibility: 'private' },
        ],
      }
      const { upstream, tokens } = await login(standIn)
      assert.equal((await upstream.userInfo(tokens)).email, undefined)
    })

    test('a secondary rate limit on /user/emails or /user/orgs is provider unavailable, never "no email" or "no orgs"', async () => {
      for (const endpoint of ['emails', 'orgs'] as const) {
        const { upstream, tokens } = await login(standIn, { scope: 'user:email read:org' })
        standIn.secondaryRateLimited.add(endpoint)
        try {
          await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamUnavailableError' })
        } finally {
          standIn.secondaryRateLimited.clear()
        }
      }
    })

    test('an unverified primary email is not used', async () => {
      standIn.user = {
        ...standIn.user,
        emails: [{ email: 'unverified@octo.example', primary: true, verified: false, visibility: 'private' }],
      }
      const { upstream, tokens } = await login(standIn)
      assert.equal((await upstream.userInfo(tokens)).email, undefined)
    })

    test('without the user:email scope the email is absent, which is not an error', async () => {
      const { upstream, tokens } = await login(standIn, { scope: 'read:user' })
      const user = await upstream.userInfo(tokens)
      assert.equal(user.email, undefined)
      assert.equal(user.username, 'octocat')
    })

    test('organizations are listed, across pages, when an org scope was granted', async () => {
      const orgs = Array.from({ length: 150 }, (_, index) => `org-${index}`)
      standIn.user = { ...standIn.user, orgs }
      const { upstream, tokens } = await login(standIn, { scope: 'user:email read:org' })
      assert.deepEqual((await upstream.userInfo(tokens)).organizations, orgs)
      assert.equal(standIn.requestsTo('orgs').length, 2)
    })

    test('organizations are not asked for without an org scope', async () => {
      const { upstream, tokens } = await login(standIn)
      assert.equal((await upstream.userInfo(tokens)).organizations, undefined)
      assert.equal(standIn.requestsTo('orgs').length, 0)
    })

    test('a revoked token makes user info fail with invalid_token', async () => {
      const { upstream, tokens } = await login(standIn)
      standIn.revokeAll()
      await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamOAuthError', code: 'invalid_token' })
    })

    test('a spent rate limit is UpstreamUnavailableError: GitHub is busy, the token is not dead', async () => {
      const { upstream, tokens } = await login(standIn)
      standIn.rateLimited = true
      await rejectsUpstream(upstream.userInfo(tokens), UpstreamUnavailableError, [tokens.accessToken])
    })

    test('GitHub Enterprise Server: the REST API under /api/v3 is reached through api_url', async () => {
      const enterprise = await startGitHubStandIn({ enterprise: true })
      try {
        assert.match(enterprise.apiUrl, /\/api\/v3$/)
        const { upstream, tokens } = await login(enterprise)
        assert.equal((await upstream.userInfo(tokens)).username, 'octocat')
        assert.equal(enterprise.requestsTo('user')[0]?.path, '/api/v3/user')
      } finally {
        await enterprise.close()
      }
    })
  })

  describe('expiring tokens (GitHub Apps)', () => {
    let apps: GitHubStandIn
    before(async () => {
      apps = await startGitHubStandIn({ expiringTokens: true })
    })
    after(() => apps.close())

    test('carry a refresh token and an expiry computed on the injected clock', async () => {
      const clock = new FakeClock()
      const { tokens } = await login(apps, {}, { clock })
      assert.match(tokens.accessToken, /^ghu_/)
      assert.match(tokens.refreshToken ?? '', /^ghr_/)
      assert.equal(tokens.expiresAt, clock.now() + 28_800_000)
    })

    test('refresh rotates: the new refresh token works, the spent one is refused', async () => {
      const { upstream, tokens } = await login(apps)
      const fresh = await upstream.refresh!(tokens)
      assert.notEqual(fresh.accessToken, tokens.accessToken)
      assert.notEqual(fresh.refreshToken, tokens.refreshToken)
      assert.equal((await upstream.userInfo(fresh)).username, 'octocat')
      await assert.rejects(upstream.refresh!(tokens), {
        name: 'UpstreamOAuthError',
        code: 'bad_refresh_token',
      })
      const [request] = apps.requestsTo('token').slice(-2)
      assert.equal(request?.body['grant_type'], 'refresh_token')
      assert.equal(request?.body['client_secret'], apps.clientSecret)
    })
  })

  test('refreshing a classic token (no refresh token) is invalid_grant, without calling GitHub', async () => {
    const { upstream, tokens } = await login(standIn)
    const before = standIn.requests.length
    await assert.rejects(upstream.refresh!(tokens), { name: 'UpstreamOAuthError', code: 'invalid_grant' })
    assert.equal(standIn.requests.length, before)
  })

  describe('revoke', () => {
    test("deletes the token with the app's Basic credentials; the token then stops working", async () => {
      const { upstream, tokens } = await login(standIn)
      await upstream.revoke!(tokens)
      const [request] = standIn.requestsTo('revoke')
      assert.equal(request?.method, 'DELETE')
      assert.equal(request?.path, `/applications/${standIn.clientId}/token`)
      const basic = Buffer.from(`${standIn.clientId}:${standIn.clientSecret}`).toString('base64')
      assert.equal(request?.headers.authorization, `Basic ${basic}`)
      assert.equal(request?.body['access_token'], tokens.accessToken)
      await assert.rejects(upstream.userInfo(tokens), { code: 'invalid_token' })
    })

    test('revoking a token GitHub no longer knows succeeds', async () => {
      const { upstream, tokens } = await login(standIn)
      await upstream.revoke!(tokens)
      await upstream.revoke!(tokens)
    })
  })

  describe('upstream failures surface as the closed error set, without secrets', () => {
    const cases = [
      { endpoint: 'token', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'token', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'token', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'token', failure: 'slow', error: UpstreamUnavailableError },
      { endpoint: 'user', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'user', failure: 'malformed', error: UpstreamResponseError },
      { endpoint: 'user', failure: 'oauth-error', error: UpstreamOAuthError },
      { endpoint: 'user', failure: 'slow', error: UpstreamUnavailableError },
      { endpoint: 'emails', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'revoke', failure: 'server-error', error: UpstreamUnavailableError },
      { endpoint: 'revoke', failure: 'oauth-error', error: UpstreamResponseError },
    ] as const
    for (const { endpoint, failure, error } of cases) {
      test(`${failure} at ${endpoint} is ${error.name}`, async () => {
        const { upstream, tokens, code, verifier } = await login(standIn, {}, { timeoutMs: 200 })
        standIn.fail(endpoint, failure)
        const secrets = [tokens.accessToken, code, verifier, standIn.clientSecret]
        const call =
          endpoint === 'token'
            ? upstream.exchangeCode(code, verifier, CALLBACK)
            : endpoint === 'revoke'
              ? upstream.revoke!(tokens)
              : upstream.userInfo(tokens)
        await rejectsUpstream(call, error, secrets)
      })
    }

    test('a 5xx keeps its status, and the cause of a network failure is kept', async () => {
      const upstream = github(configFor(standIn))
      standIn.fail('token', 'server-error')
      await assert.rejects(upstream.exchangeCode('c', 'v', CALLBACK), {
        name: 'UpstreamUnavailableError',
        status: 503,
      })
      const down = github({ ...configFor(standIn), token_url: 'http://127.0.0.1:1/login/oauth/access_token' })
      await assert.rejects(down.exchangeCode('c', 'v', CALLBACK), (error: unknown) => {
        assert.ok(error instanceof UpstreamUnavailableError)
        assert.ok(error.cause instanceof Error)
        return true
      })
    })
  })
})
