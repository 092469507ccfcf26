import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
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
  nonceFromVerifier,
  sha256Base64Url,
  upstreamTestKit,
} from '@mxcp/auth-core/testing'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { followToCallback } from '@mxcp/testing/stand-ins/standard-shared'
import * as keycloakPackage from '../src/index.js'
import { type KeycloakConfig, keycloak, keycloakIssuer } from '../src/index.js'

const CALLBACK = 'http://localhost:8000/keycloak/callback'

/** The claims of a JWT, unverified (the provider verified it already). */
function jwtClaims(jwt: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))
  assert.ok(typeof parsed === 'object' && parsed !== null)
  return { ...parsed }
}

function configFor(idp: OidcProviderStandIn, extra: Partial<KeycloakConfig> = {}): KeycloakConfig {
  return {
    client_id: idp.clientId,
    client_secret: idp.clientSecret,
    realm: idp.realm,
    server_url: idp.url,
    ...extra,
  }
}

const kit = upstreamTestKit({ provider: 'keycloak', redirectUri: CALLBACK, follow: followToCallback })
const { rejectsUpstream } = kit

async function login(idp: OidcProviderStandIn, extra: Partial<KeycloakConfig> = {}, timeoutMs = 5_000) {
  return kit.login(keycloak(configFor(idp, extra), { timeoutMs }))
}

describe('Keycloak provider', () => {
  let idp: OidcProviderStandIn
  before(async () => {
    idp = await startOidcProviderStandIn({ realm: 'development', redirectUris: [CALLBACK] })
  })
  after(() => idp.close())

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(keycloakPackage, keycloak, 'keycloak')
    })

    test('missing fields fail with the guide’s message naming each of them', () => {
      assertConfigError(
        () => keycloak({ client_id: 'mxcp-client', client_secret: 's' }),
        'Keycloak OAuth configuration is incomplete: missing keycloak.realm, keycloak.server_url',
      )
    })

    test('a raw block without defaults gets the guide’s defaults', () => {
      const upstream = keycloak({
        client_id: 'c',
        client_secret: 's',
        realm: 'r',
        server_url: 'http://localhost:8080',
      })
      assert.equal(upstream.callbackPath, '/keycloak/callback')
      assert.equal(upstream.label, 'Keycloak')
    })

    test('the realm issuer is {server_url}/realms/{realm}, whatever the trailing slash', () => {
      assert.equal(keycloakIssuer('http://localhost:8080/', 'dev'), 'http://localhost:8080/realms/dev')
      assert.equal(
        keycloakIssuer('https://sso.example.com', 'my realm'),
        'https://sso.example.com/realms/my%20realm',
      )
    })

    test('a server_url over plain http off loopback is refused at start-up', () => {
      assertConfigError(
        () =>
          keycloak({ client_id: 'c', client_secret: 's', realm: 'r', server_url: 'http://sso.example.com' }),
        'keycloak.server_url must be an https URL (http is accepted on loopback only)',
      )
    })

    test('the guide’s Keycloak block loads unchanged and builds the provider', () => {
      const auth = validateAuthConfig(
        {
          provider: 'keycloak',
          keycloak: {
            client_id: 'mxcp-client',
            client_secret: 'secret',
            realm: 'development',
            server_url: 'http://localhost:8080',
            scope: 'openid profile email',
            callback_path: '/keycloak/callback',
          },
        },
        'auth',
        'auth config',
        new ProviderRegistry([keycloak]),
      )
      assert.ok(auth.keycloak)
      assert.equal(keycloak(auth.keycloak).callbackPath, '/keycloak/callback')
    })
  })

  describe('authorization URL', () => {
    test('points at the realm’s auth endpoint with PKCE S256, our nonce and the scope', async () => {
      const upstream = keycloak(configFor(idp))
      const challenge = sha256Base64Url('verifier')
      const url = await upstream.authorizationUrl({
        state: 'st',
        codeChallenge: challenge,
        redirectUri: CALLBACK,
      })
      assert.equal(
        `${url.origin}${url.pathname}`,
        `${idp.url}/realms/development/protocol/openid-connect/auth`,
      )
      assert.equal(url.searchParams.get('code_challenge'), challenge)
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
      assert.equal(url.searchParams.get('nonce'), nonceFromVerifier('verifier'))
      assert.equal(url.searchParams.get('scope'), 'openid profile email')
      assert.equal(url.searchParams.get('client_secret'), null)
    })

    test('openid is added to a scope that lacks it, since Keycloak gives no identity without it', async () => {
      const url = await keycloak(configFor(idp, { scope: 'profile email' })).authorizationUrl({
        state: 'st',
        codeChallenge: 'c',
        redirectUri: CALLBACK,
      })
      assert.equal(url.searchParams.get('scope'), 'openid profile email')
    })
  })

  describe('code exchange, user info, refresh, revoke', () => {
    test('the code is exchanged with our verifier; the ID token is a JWT from the realm, validated', async () => {
      const { tokens, verifier } = await login(idp)
      assert.ok(tokens.refreshToken)
      assert.ok(tokens.idToken)
      const claims = jwtClaims(tokens.idToken)
      assert.equal(claims.iss, `${idp.url}/realms/development`)
      assert.equal(claims.aud, idp.clientId)
      assert.equal(idp.requestsTo('token').at(-1)?.form?.['code_verifier'], verifier)
    })

    test('user info maps to the user context shape with preferred_username as username', async () => {
      const { upstream, tokens } = await login(idp)
      const user = await upstream.userInfo(tokens)
      assert.deepEqual(
        { userId: user.userId, username: user.username, email: user.email, name: user.name },
        { userId: idp.user.sub, username: 'ada', email: 'ada@example.com', name: 'Ada Lovelace' },
      )
      assert.equal(user.issuer, idp.issuer)
      assert.deepEqual(user.rawProfile, { ...idp.user })
      assert.deepEqual([user.groups, user.roles], [[], []], 'no mappers, no memberships')
    })

    test('realm roles, client roles (as client:role) and groups are read with the roles and groups mappers', async () => {
      const mapped = await startOidcProviderStandIn({
        realm: 'development',
        redirectUris: [CALLBACK],
        user: {
          realm_access: { roles: ['admin', 'offline_access'] },
          resource_access: { 'mxcp-server': { roles: ['editor'] } },
          groups: ['/admins', '/staff/berlin'],
        },
      })
      try {
        const { upstream, tokens } = await login(mapped, { scope: 'openid profile email roles groups' })
        const user = await upstream.userInfo(tokens)
        assert.deepEqual(user.roles, ['admin', 'offline_access', 'mxcp-server:editor'])
        assert.deepEqual(user.groups, ['/admins', '/staff/berlin'])
      } finally {
        await mapped.close()
      }
    })

    test('username_claim: sub makes the immutable id the username, for realms that let users edit theirs', async () => {
      const { upstream, tokens } = await login(idp, { username_claim: 'sub' })
      const user = await upstream.userInfo(tokens)
      assert.equal(user.username, idp.user.sub)
      assert.equal(user.userId, idp.user.sub)
    })

    test('refresh gives new tokens for the same user; a rotated-out refresh token then fails', async () => {
      const { upstream, tokens } = await login(idp)
      idp.rotateRefreshTokens = true
      try {
        const fresh = await upstream.refresh?.(tokens)
        assert.ok(fresh)
        assert.notEqual(fresh.accessToken, tokens.accessToken)
        assert.notEqual(fresh.refreshToken, tokens.refreshToken)
        assert.equal((await upstream.userInfo(fresh)).userId, idp.user.sub)
        await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamOAuthError, [
          tokens.refreshToken ?? '',
        ])
      } finally {
        idp.rotateRefreshTokens = false
      }
    })

    test('revoke ends the Keycloak session: its refresh token stops working', async () => {
      const { upstream, tokens } = await login(idp)
      await upstream.revoke?.(tokens)
      assert.equal(idp.requestsTo('revoke').at(-1)?.form?.['token'], tokens.refreshToken)
      await assert.rejects(
        Promise.resolve(upstream.refresh?.(tokens)),
        (error: unknown) => error instanceof UpstreamOAuthError && error.code === 'invalid_grant',
      )
    })
  })

  describe('failure modes', () => {
    test('a realm that does not exist is a clear configuration error carrying the 404', async () => {
      const upstream = keycloak(configFor(idp, { realm: 'production' }))
      await assert.rejects(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        (error: unknown) => {
          assert.ok(error instanceof UpstreamResponseError)
          assert.equal(error.status, 404)
          assert.match(
            error.message,
            /^Keycloak realm "production" was not found at http:\/\/127\.0\.0\.1:\d+ \(404\): check keycloak\.realm and keycloak\.server_url$/,
          )
          assert.ok(error.cause)
          return true
        },
      )
    })

    test('a server_url with the legacy /auth suffix is pointed out', async () => {
      const upstream = keycloak(configFor(idp, { server_url: `${idp.url}/auth` }))
      await assert.rejects(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        /server_url must not end in \/auth/,
      )
    })

    test('denied consent comes back as error=access_denied, and nothing is exchanged', async () => {
      const request = { state: 's', codeChallenge: sha256Base64Url('v') }
      await kit.assertDeniedWithoutExchange(keycloak(configFor(idp)), idp, request)
    })

    test('a bad code is UpstreamOAuthError invalid_grant, naming neither code nor secret', async () => {
      const attempt = { code: 'forged-code', verifier: 'verifier' }
      const secrets = ['forged-code', 'verifier', idp.clientSecret]
      await kit.assertExchangeRefused(keycloak(configFor(idp)), attempt, 'invalid_grant', secrets)
    })

    test('a 5xx from the token endpoint is UpstreamUnavailableError', async () => {
      const { upstream, tokens } = await login(idp)
      idp.failures.set('token', { kind: 'status', status: 502 }, 1)
      await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamUnavailableError, [
        tokens.refreshToken ?? '',
      ])
    })

    test('an unreachable Keycloak is UpstreamUnavailableError', async () => {
      const upstream = keycloak(configFor(idp, { server_url: 'http://127.0.0.1:9' }))
      await rejectsUpstream(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        UpstreamUnavailableError,
      )
    })

    test('a malformed token answer is UpstreamResponseError', async () => {
      const { upstream, tokens } = await login(idp)
      idp.failures.set('token', { kind: 'malformed' }, 1)
      await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamResponseError, [
        tokens.refreshToken ?? '',
      ])
    })

    test('a slow user info endpoint times out as UpstreamUnavailableError', async () => {
      const { tokens } = await login(idp)
      const impatient = keycloak(configFor(idp), { timeoutMs: 200 })
      await impatient.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      idp.failures.set('userinfo', { kind: 'slow', delayMs: 10_000 }, 1)
      await rejectsUpstream(impatient.userInfo(tokens), UpstreamUnavailableError, [tokens.accessToken])
    })

    test('tokens ended by an administrator fail user info (invalid_token) and refresh (invalid_grant)', async () => {
      const { upstream, tokens } = await login(idp)
      idp.revokeAll()
      await assert.rejects(
        upstream.userInfo(tokens),
        (error: unknown) => error instanceof UpstreamOAuthError && error.code === 'invalid_token',
      )
      await assert.rejects(
        Promise.resolve(upstream.refresh?.(tokens)),
        (error: unknown) => error instanceof UpstreamOAuthError && error.code === 'invalid_grant',
      )
    })
  })
})
