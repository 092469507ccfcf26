import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import { keycloak } from '../src/index.js'

const BASE = 'https://mcp.test'

/**
 * The whole login through @mxcp/auth-core's plugins, with the real Keycloak provider against
 * oidc-provider dressed as a Keycloak realm: register → authorize → our consent → Keycloak
 * (login, consent) → callback → token → guarded route.
 */
describe('Keycloak through @mxcp/auth-core', () => {
  const clock = new FakeClock(Date.now())
  let idp: OidcProviderStandIn
  let flow: ProviderFlow

  before(async () => {
    idp = await startOidcProviderStandIn({
      realm: 'development',
      redirectUris: [`${BASE}/keycloak/callback`],
    })
    flow = await startProviderFlow({
      auth: {
        provider: 'keycloak',
        keycloak: {
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          realm: idp.realm,
          server_url: idp.url,
          scope: 'openid profile email',
          callback_path: '/keycloak/callback',
        },
      },
      provider: (auth) => keycloak(auth.keycloak ?? {}),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'the realm', authorizeUrl: `${idp.issuer}/protocol/openid-connect/auth` },
      inject: { baseUrl: BASE, injectingFetch },
    })
  })
  after(async () => {
    await flow.close()
    await idp.close()
  })

  test('a user who signs in with Keycloak reaches the guarded route with a Keycloak user context', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user, upstream } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'keycloak',
      userId: idp.user.sub,
      username: 'ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      clientId,
    })
    assert.equal(user.rawProfile['preferred_username'], 'ada')
    assert.ok(upstream, 'the route itself can read the Keycloak token')
    assert.ok(
      !JSON.stringify(user).includes(upstream),
      'the Keycloak token is not in the serialized user context',
    )
    const initial = idp
      .requestsTo('authorize')
      .filter((request) => request.path.endsWith('/auth'))
      .at(-1)
    assert.equal(initial?.query['code_challenge_method'], 'S256', 'PKCE towards Keycloak')
    assert.ok(initial?.query['nonce'], 'a nonce towards Keycloak')
  })

  test('once the Keycloak access token expires, the guard refreshes it and the user stays signed in', async () => {
    const refreshes = (): number =>
      idp.requestsTo('token').filter((request) => request.form?.['grant_type'] === 'refresh_token').length
    // Past the 300 s Keycloak token and our user cache; the provider itself keeps real time.
    await flow.assertRefreshedAfter(() => clock.advance(600 * 1000), refreshes)
  })

  test('a user who cancels at Keycloak comes back to the client with access_denied and no code', async () => {
    await flow.assertDeniedUpstream(idp)
  })
})

/**
 * Keycloak roles and groups (the realm's role and group mappers) decide who gets in and which
 * scopes they are granted: the guide's `required_scopes: [mxcp:access, mxcp:admin]` with
 * `mxcp:admin` granted to one client role.
 */
describe('Keycloak roles and groups in allowlists and scope grants', () => {
  const clock = new FakeClock(Date.now())

  async function start(
    authorization: Record<string, unknown>,
  ): Promise<{ idp: OidcProviderStandIn; flow: ProviderFlow }> {
    const idp = await startOidcProviderStandIn({
      realm: 'development',
      redirectUris: [`${BASE}/keycloak/callback`],
      user: {
        realm_access: { roles: ['offline_access', 'analyst'] },
        resource_access: { 'mxcp-server': { roles: ['operator'] } },
        groups: ['/staff'],
      },
    })
    const flow = await startProviderFlow({
      auth: {
        provider: 'keycloak',
        keycloak: {
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          realm: idp.realm,
          server_url: idp.url,
          scope: 'openid profile email roles groups',
        },
        authorization,
      },
      provider: (auth) => keycloak(auth.keycloak ?? {}),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'the realm', authorizeUrl: `${idp.issuer}/protocol/openid-connect/auth` },
      inject: { baseUrl: BASE, injectingFetch },
    })
    return { idp, flow }
  }

  test('a client role grants mxcp:admin and a group passes allowed_groups: the guarded route answers with both scopes', async () => {
    const { idp, flow } = await start({
      required_scopes: ['mxcp:access', 'mxcp:admin'],
      allowed_groups: ['/staff'],
      scope_grants: { 'mxcp:admin': { roles: ['mxcp-server:operator'] } },
    })
    try {
      const { accessToken } = await flow.signIn()
      const { user } = await flow.userFor(accessToken)
      assert.deepEqual(user.scopes, ['mxcp:access', 'mxcp:admin'])
    } finally {
      await flow.close()
      await idp.close()
    }
  })

  test('a user outside allowed_roles is sent back to the client with access_denied; no code', async () => {
    const { idp, flow } = await start({ allowed_roles: ['admin'] })
    try {
      const { params } = await flow.authorize({ expectRoundTrip: true })
      assert.equal(params.get('error'), 'access_denied')
      assert.match(params.get('error_description') ?? '', /roles admin/)
      assert.equal(params.get('code'), null)
    } finally {
      await flow.close()
      await idp.close()
    }
  })
})
