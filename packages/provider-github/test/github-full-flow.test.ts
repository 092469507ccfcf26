import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type GitHubStandIn, startGitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { github } from '../src/index.js'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real GitHub provider against the
 * GitHub stand-in: register → authorize → consent → GitHub → callback → token → guarded route.
 */
describe('GitHub through @mxcp/auth-core', () => {
  let standIn: GitHubStandIn
  let flow: ProviderFlow
  const clock = new FakeClock()

  before(async () => {
    standIn = await startGitHubStandIn({ now: () => clock.now(), expiringTokens: true })
    flow = await startProviderFlow({
      auth: {
        provider: 'github',
        github: {
          client_id: standIn.clientId,
          client_secret: standIn.clientSecret,
          scope: 'user:email read:org',
          auth_url: `${standIn.url}/login/oauth/authorize`,
          token_url: `${standIn.url}/login/oauth/access_token`,
          api_url: standIn.apiUrl,
        },
        // Our tokens outlive GitHub's 8-hour ones, so the guard has to refresh upstream.
        access_token_ttl: 86_400,
      },
      provider: (auth) => github(auth.github ?? {}, { clock }),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'GitHub', authorizeUrl: `${standIn.url}/login/oauth/authorize` },
    })
  })
  after(async () => {
    await flow.close()
    await standIn.close()
  })

  test('a user who signs in with GitHub reaches the guarded route with a GitHub user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const body = await flow.userFor(accessToken)
    assertUserContext(body.user, {
      provider: 'github',
      userId: '583231',
      username: 'octocat',
      email: 'octocat@github.com',
      name: 'The Octocat',
      clientId,
    })
    assert.equal(body.user.rawProfile['login'], 'octocat')
    assert.match(String(body.upstream), /^ghu_/, 'the route itself can read the upstream token')
    assert.ok(
      !JSON.stringify(body.user).includes(String(body.upstream)),
      'the upstream token is not in the serialized user context',
    )
    const [tokenRequest] = standIn.requestsTo('token')
    assert.ok(tokenRequest?.body['code_verifier'], 'PKCE towards GitHub')
  })

  test('once the GitHub access token expires, the guard refreshes it (rotating the refresh token) and the user stays signed in', async () => {
    const refreshes = () =>
      standIn.requestsTo('token').filter((r) => r.body['grant_type'] === 'refresh_token').length
    await flow.assertRefreshedAfter(() => clock.advance(8 * 3600_000 + 1), refreshes)
  })

  test('consent denied at GitHub reaches the client as access_denied, and no code is issued', async () => {
    standIn.denyConsent = true
    try {
      const { params } = await flow.authorize({ expectRoundTrip: true })
      assert.equal(params.get('error'), 'access_denied')
      assert.equal(params.get('code'), null)
    } finally {
      standIn.heal()
    }
  })

  test('GitHub down at the code exchange reaches the client as temporarily_unavailable, and no code is issued', async () => {
    standIn.fail('token', 'server-error')
    try {
      const { params } = await flow.authorize({ expectRoundTrip: true })
      assert.equal(params.get('error'), 'temporarily_unavailable')
      assert.equal(params.get('code'), null)
    } finally {
      standIn.heal()
    }
  })
})
