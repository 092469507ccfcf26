import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import { oidc } from '../src/index.js'

const BASE = 'https://mcp.test'

/**
 * The whole login through @mxcp/auth-core's plugins, with the generic OpenID Connect provider
 * against a certified OpenID provider (oidc-provider) found by discovery only: register →
 * authorize → our consent → the issuer (login, consent) → callback → token → guarded route.
 */
describe('a generic OpenID Connect issuer through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: OidcProviderStandIn
  let flow: ProviderFlow

  before(async () => {
    idp = await startOidcProviderStandIn({
      realm: 'default',
      clientId: '0oa1stand1n',
      redirectUris: [`${BASE}/oidc/callback`],
      user: { preferred_username: 'ada.lovelace@example.com' },
    })
    flow = await startProviderFlow({
      auth: {
        provider: 'oidc',
        oidc: { client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer },
      },
      provider: (auth) => oidc(auth.oidc ?? {}),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'the issuer', authorizeUrl: `${idp.issuer}/protocol/openid-connect/auth` },
      inject: { baseUrl: BASE, injectingFetch },
    })
  })
  after(async () => {
    await flow.close()
    await idp.close()
  })

  test('a user who signs in at the issuer reaches the guarded route with an OIDC user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user, upstream } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'oidc',
      userId: idp.user.sub,
      username: idp.user.sub,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      clientId,
    })
    assert.equal(user.rawProfile['sub'], idp.user.sub)
    assert.ok(upstream, 'the route itself can read the upstream token')
    assert.ok(
      !JSON.stringify(user).includes(upstream),
      'the upstream token is not in the serialized user context',
    )
    const initial = idp
      .requestsTo('authorize')
      .filter((request) => request.path.endsWith('/auth'))
      .at(-1)
    assert.equal(initial?.query['code_challenge_method'], 'S256', 'PKCE towards the issuer')
    assert.ok(initial?.query['nonce'], 'a nonce towards the issuer')
  })

  test('once the upstream access token expires, the guard refreshes it and the user stays signed in', async () => {
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    // Past the issuer's 300 s token and our user cache; the provider itself keeps real time.
    await flow.assertRefreshedAfter(() => clock.advance(600 * 1000), refreshes)
  })

  test('a user who cancels at the issuer comes back to the client with access_denied and no code', async () => {
    await flow.assertDeniedUpstream(idp)
  })
})
