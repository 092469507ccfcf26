import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type GoogleStandIn, startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import { google } from '../src/index.js'

const BASE = 'https://mcp.test'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Google provider against the
 * Google stand-in: register → authorize → our consent → Google → callback → token → guarded
 * route. Our app is reached through `app.inject()`; Google is a loopback server.
 */
describe('Google through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: GoogleStandIn
  let flow: ProviderFlow

  before(async () => {
    idp = await startGoogleStandIn({ now: () => clock.now(), redirectUris: [`${BASE}/google/callback`] })
    flow = await startProviderFlow({
      auth: {
        provider: 'google',
        google: {
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          scope: 'openid profile email',
          ...idp.endpoints,
        },
        // Our tokens outlive Google's one-hour ones, so the guard has to refresh upstream.
        access_token_ttl: 86_400,
      },
      provider: (auth) => google(auth.google ?? {}),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'Google', authorizeUrl: idp.endpoints.auth_url },
      inject: { baseUrl: BASE, injectingFetch },
    })
  })
  after(async () => {
    await flow.close()
    await idp.close()
  })

  test('a user who signs in with Google reaches the guarded route with a Google user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user, upstream } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'google',
      userId: idp.user.sub,
      username: idp.user.email,
      email: idp.user.email,
      name: idp.user.name,
      clientId,
    })
    assert.equal(user.rawProfile['sub'], idp.user.sub)
    assert.match(String(upstream), /^ya29\./, 'the route itself can read the Google token')
    assert.ok(
      !JSON.stringify(user).includes(String(upstream)),
      'the Google token is not in the serialized user context',
    )
    const authorizeRequest = idp.requestsTo('authorize').at(-1)
    assert.equal(authorizeRequest?.query['code_challenge_method'], 'S256', 'PKCE towards Google')
    assert.equal(authorizeRequest?.query['access_type'], 'offline')
    assert.ok(idp.requestsTo('token').at(-1)?.form?.['code_verifier'])
  })

  test('once the Google access token expires, the guard refreshes it and the user stays signed in', async () => {
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    // Past the 3599 s Google token (with room for a slow machine) and our user cache.
    await flow.assertRefreshedAfter(() => clock.advance(2 * 3600 * 1000), refreshes)
  })

  test('a user who cancels at Google comes back to the client with access_denied and no code', async () => {
    await flow.assertDeniedUpstream(idp)
  })
})
