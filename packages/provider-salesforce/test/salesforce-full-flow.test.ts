import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type SalesforceStandIn, startSalesforceStandIn } from '@mxcp/testing/stand-ins/salesforce'
import { salesforce } from '../src/index.js'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Salesforce provider against
 * the Salesforce stand-in (login host + My Domain): register → authorize → consent → Salesforce →
 * callback → token → guarded route.
 */
describe('Salesforce through @mxcp/auth-core', () => {
  let standIn: SalesforceStandIn
  let flow: ProviderFlow
  const clock = new FakeClock()

  before(async () => {
    standIn = await startSalesforceStandIn({ now: () => clock.now() })
    flow = await startProviderFlow({
      auth: {
        provider: 'salesforce',
        salesforce: {
          client_id: standIn.clientId,
          client_secret: standIn.clientSecret,
          auth_url: `${standIn.url}/services/oauth2/authorize`,
          token_url: `${standIn.url}/services/oauth2/token`,
        },
        // Our tokens outlive the org's two-hour sessions.
        access_token_ttl: 86_400,
      },
      provider: (auth) => salesforce(auth.salesforce ?? {}, { clock }),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'Salesforce', authorizeUrl: `${standIn.url}/services/oauth2/authorize` },
    })
  })
  after(async () => {
    await flow.close()
    await standIn.close()
  })

  test('a user who signs in with Salesforce reaches the guarded route with a Salesforce user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'salesforce',
      userId: '005xx000001SwiUAAS',
      username: 'jane.doe@acme.example',
      email: 'jane.doe@acme.example',
      name: 'Jane Doe',
      clientId,
    })
    assert.equal(user.rawProfile['organization_id'], '00Dxx0000001gPLEAY')
    assert.equal(user.attributes['instance_url'], standIn.instanceUrl, 'for get_user_attribute in SQL')
    assert.equal(user.attributes['organization_id'], '00Dxx0000001gPLEAY')
    const userinfo = standIn.requestsTo('userinfo')
    assert.ok(
      userinfo.length > 0 && userinfo.every((request) => request.origin === standIn.instanceUrl),
      'user info came from the org host',
    )
  })

  test('with no expires_in, the token expires at issued_at plus the session timeout and is refreshed ahead of it; the user stays signed in', async () => {
    const refreshes = () =>
      standIn.requestsTo('token').filter((r) => r.body['grant_type'] === 'refresh_token').length
    // Past the org's session timeout and past our user cache, so the guard asks Salesforce again.
    const { user } = await flow.assertRefreshedAfter(() => clock.advance(2 * 3600_000 + 1), refreshes)
    assert.equal(user?.username, 'jane.doe@acme.example')
  })

  test('when the user revokes the app at Salesforce, the guard ends the session (401)', async () => {
    const { accessToken } = await flow.signIn()
    standIn.revokeAll()
    clock.advance(301_000)
    assert.equal((await flow.whoami(accessToken)).status, 401)
  })
})
