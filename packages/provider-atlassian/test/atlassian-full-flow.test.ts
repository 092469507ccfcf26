import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type AtlassianStandIn, startAtlassianStandIn } from '@mxcp/testing/stand-ins/atlassian'
import { atlassian } from '../src/index.js'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Atlassian provider against
 * the Atlassian stand-in: register → authorize → consent → Atlassian → callback → token → guarded route.
 */
describe('Atlassian through @mxcp/auth-core', () => {
  let standIn: AtlassianStandIn
  let flow: ProviderFlow
  const clock = new FakeClock()

  before(async () => {
    standIn = await startAtlassianStandIn({ now: () => clock.now() })
    flow = await startProviderFlow({
      auth: {
        provider: 'atlassian',
        atlassian: {
          client_id: standIn.clientId,
          client_secret: standIn.clientSecret,
          auth_url: `${standIn.url}/authorize`,
          token_url: `${standIn.url}/oauth/token`,
          userinfo_url: `${standIn.url}/me`,
        },
        // Our tokens outlive Atlassian's one-hour ones, so the guard has to refresh upstream.
        access_token_ttl: 86_400,
      },
      provider: (auth) => atlassian(auth.atlassian ?? {}, { clock }),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'Atlassian', authorizeUrl: `${standIn.url}/authorize` },
    })
  })
  after(async () => {
    await flow.close()
    await standIn.close()
  })

  test('a user who signs in with Atlassian reaches the guarded route with an Atlassian user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'atlassian',
      userId: '5b10ac8d82e05b22cc7d4ef5',
      username: '5b10ac8d82e05b22cc7d4ef5',
      email: 'mia@example.com',
      name: 'Mia Krystof',
      clientId,
    })
    assert.equal(user.rawProfile['account_type'], 'atlassian')
    assert.equal(user.attributes['cloud_id'], '1324a887-45db-1bf4-1e99-ef0ff456d421', 'for SQL')
    assert.equal(user.attributes['site_urls'], 'https://your-domain.atlassian.net')
    assert.equal(user.name, 'Mia Krystof')
    const [authorizeRequest] = standIn.requestsTo('authorize')
    assert.equal(authorizeRequest?.query['audience'], 'api.atlassian.com')
    assert.equal(authorizeRequest?.query['prompt'], 'consent')
    assert.match(String(standIn.requestsTo('token')[0]?.headers['content-type']), /^application\/json/)
  })

  test('once the Atlassian access token expires, the guard refreshes it with the rotating refresh token', async () => {
    const refreshes = () =>
      standIn.requestsTo('token').filter((r) => r.body['grant_type'] === 'refresh_token').length
    await flow.assertRefreshedAfter(() => clock.advance(3600_000 + 1), refreshes)
  })

  test('a user whose sites do not have the app is sent back to the client with access_denied: "No accessible resources found"', async () => {
    const sites = standIn.sites
    standIn.sites = []
    try {
      const { params, trace } = await flow.authorize({ expectRoundTrip: true })
      assert.equal(params.get('error'), 'access_denied')
      assert.match(params.get('error_description') ?? '', /^No accessible resources found/)
      assert.equal(params.get('code'), null)
      assert.ok(
        trace.some((url) => url.endsWith('/atlassian/callback')),
        'after the callback page said why',
      )
    } finally {
      standIn.sites = sites
    }
  })
})
