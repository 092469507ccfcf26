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
  FakeClock,
  nonceFromVerifier,
  randomToken,
  sha256Base64Url,
  upstreamTestKit,
} from '@mxcp/auth-core/testing'
import { type GoogleStandIn, startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { followToCallback } from '@mxcp/testing/stand-ins/standard-shared'
import * as oidcPackage from '../src/index.js'
import { type OidcConfig, oidc } from '../src/index.js'

const CALLBACK = 'http://localhost:8000/oidc/callback'

interface Issuer {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
}

function configFor(idp: Issuer, extra: Partial<OidcConfig> = {}): OidcConfig {
  return { client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer, ...extra }
}

const kit = upstreamTestKit({ provider: 'oidc', redirectUri: CALLBACK, follow: followToCallback })
const { rejectsUpstream } = kit

async function login(idp: Issuer, extra: Partial<OidcConfig> = {}, timeoutMs = 5_000) {
  return kit.login(oidc(configFor(idp, extra), { timeoutMs }))
}

describe('generic OpenID Connect provider', () => {
  let okta: OidcProviderStandIn
  let google: GoogleStandIn
  before(async () => {
    // An issuer with a path, as Okta's custom authorization servers and Authentik have.
    okta = await startOidcProviderStandIn({
      realm: 'default',
      clientId: '0oa1stand1n',
      redirectUris: [CALLBACK],
    })
    google = await startGoogleStandIn({ redirectUris: [CALLBACK] })
  })
  after(async () => {
    await okta.close()
    await google.close()
  })

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(oidcPackage, oidc, 'oidc')
    })

    test('a missing issuer fails with a message naming it', () => {
      assertConfigError(
        () => oidc({ client_id: 'c', client_secret: 's' }),
        'OIDC OAuth configuration is incomplete: missing oidc.issuer',
      )
    })

    test('a raw block without defaults gets the defaults, and the loaded block works too', () => {
      assert.equal(
        oidc({ client_id: 'c', client_secret: 's', issuer: 'https://sso.example.com' }).callbackPath,
        '/oidc/callback',
      )
      const auth = validateAuthConfig(
        {
          provider: 'oidc',
          oidc: { client_id: 'c', client_secret: 's', issuer: 'https://tenant.okta.com/oauth2/default' },
        },
        'auth',
        'auth config',
        new ProviderRegistry([oidc]),
      )
      assert.ok(auth.oidc)
      assert.equal(oidc(auth.oidc).label, 'OIDC')
    })

    test('an issuer over plain http off loopback, or no URL at all, is refused at start-up', () => {
      assertConfigError(
        () => oidc({ client_id: 'c', client_secret: 's', issuer: 'http://login.example.com' }),
        'oidc.issuer must be an https URL (http is accepted on loopback only)',
      )
      assert.throws(
        () => oidc({ client_id: 'c', client_secret: 's', issuer: 'login.example.com' }),
        /oidc\.issuer is not an absolute URL/,
      )
    })

    test('nothing is fetched until the first login', async () => {
      const before = okta.requestsTo('discovery').length
      oidc(configFor(okta))
      assert.equal(okta.requestsTo('discovery').length, before)
    })
  })

  describe('against an issuer found by discovery', () => {
    test('the authorization URL is the discovered endpoint with PKCE S256 and our nonce', async () => {
      const upstream = oidc(configFor(okta))
      const url = await upstream.authorizationUrl({
        state: 'st',
        codeChallenge: sha256Base64Url('v'),
        redirectUri: CALLBACK,
      })
      assert.equal(`${url.origin}${url.pathname}`, `${okta.issuer}/protocol/openid-connect/auth`)
      assert.equal(url.searchParams.get('client_id'), '0oa1stand1n')
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
      assert.equal(url.searchParams.get('nonce'), nonceFromVerifier('v'))
      assert.equal(url.searchParams.get('scope'), 'openid profile email')
    })

    test('the certified issuer announces the RFC 9207 iss parameter, so the callback requires it', async () => {
      const upstream = oidc(configFor(okta))
      assert.deepEqual(await upstream.authorizationResponseIssuer?.(), {
        issuer: okta.issuer,
        required: true,
      })
    })

    test('code exchange, user info, refresh and revoke work end to end', async () => {
      const { upstream, tokens } = await login(okta)
      const user = await upstream.userInfo(tokens)
      assert.deepEqual(user, {
        userId: okta.user.sub,
        username: okta.user.sub,
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        organizations: undefined,
        issuer: okta.issuer,
        rawProfile: { ...okta.user },
      })
      const fresh = await upstream.refresh?.(tokens)
      assert.ok(fresh?.accessToken)
      await upstream.revoke?.(fresh)
      await rejectsUpstream(Promise.resolve(upstream.refresh?.(fresh)), UpstreamOAuthError, [
        fresh.refreshToken ?? '',
      ])
    })

    test('Google, as any OpenID issuer: username_claim email gives the verified email as username', async () => {
      const { upstream, tokens } = await login(google, { username_claim: 'email' })
      const user = await upstream.userInfo(tokens)
      assert.equal(user.userId, google.user.sub)
      assert.equal(user.username, google.user.email)
      // Google announces client_secret_post first; Basic is still the OIDC default we pick.
      assert.match(String(google.requestsTo('token').at(-1)?.headers.authorization), /^Basic /)
    })

    test('a client held to client_secret_post is served when token_endpoint_auth_method says so', async () => {
      const strict = await startOidcProviderStandIn({
        redirectUris: [CALLBACK],
        tokenEndpointAuthMethod: 'client_secret_post',
      })
      try {
        const { upstream, tokens } = await login(strict, { token_endpoint_auth_method: 'client_secret_post' })
        await upstream.refresh?.(tokens)
        const methods = strict
          .requestsTo('token')
          .map((request) => (request.headers.authorization ? 'basic' : 'post'))
        assert.deepEqual(methods, ['post', 'post'])
      } finally {
        await strict.close()
      }
    })

    test('discovery is fetched once for the provider’s lifetime (within its TTL)', async () => {
      const upstream = oidc(configFor(okta))
      const before = okta.requestsTo('discovery').length
      const challenge = sha256Base64Url('v')
      await Promise.all(
        [1, 2, 3].map(() =>
          upstream.authorizationUrl({ state: 's', codeChallenge: challenge, redirectUri: CALLBACK }),
        ),
      )
      assert.equal(okta.requestsTo('discovery').length - before, 1)
    })
  })

  describe('failure modes', () => {
    test('an issuer without a discovery document is UpstreamResponseError 404', async () => {
      const upstream = oidc(configFor(okta, { issuer: `${okta.url}/realms/missing` }))
      await assert.rejects(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        (error: unknown) => {
          assert.ok(error instanceof UpstreamResponseError)
          assert.equal(error.status, 404)
          assert.match(
            error.message,
            /no OpenID configuration at http:\/\/127\.0\.0\.1:\d+\/realms\/missing\/\.well-known\/openid-configuration/,
          )
          return true
        },
      )
    })

    test('a discovery document naming another issuer is refused (OIDC Discovery §4.3)', async () => {
      // sso.example.com resolves to the Google stand-in, whose document names its own origin.
      const rerouted: typeof fetch = (input, init) =>
        fetch(
          String(input instanceof Request ? input.url : input).replace('https://sso.example.com', google.url),
          init,
        )
      const upstream = oidc(configFor(google, { issuer: 'https://sso.example.com' }), { fetch: rerouted })
      const authorizations = google.requestsTo('authorize').length
      await assert.rejects(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        (error: unknown) => {
          assert.ok(error instanceof UpstreamResponseError)
          assert.match(
            error.message,
            /names issuer "http:\/\/127\.0\.0\.1:\d+", expected "https:\/\/sso\.example\.com"/,
          )
          return true
        },
      )
      assert.equal(google.requestsTo('authorize').length, authorizations, 'no user was sent there')
    })

    test('denied consent comes back as error=access_denied, and nothing is exchanged', async () => {
      const upstream = oidc(configFor(okta))
      const exchanges = okta.requestsTo('token').length
      okta.denyConsent = true
      try {
        const back = await kit.followBack(upstream, {
          state: 's',
          codeChallenge: sha256Base64Url('v'),
        })
        assert.equal(back.searchParams.get('error'), 'access_denied')
      } finally {
        okta.denyConsent = false
      }
      assert.equal(okta.requestsTo('token').length, exchanges)
    })

    test('an ID token whose nonce is not ours is refused and its tokens revoked (the code was obtained for another request)', async () => {
      const upstream = oidc(configFor(google))
      const verifier = randomToken()
      // Google echoes whatever nonce the request carried; a request made outside our flow carries none of ours.
      const url = await upstream.authorizationUrl({
        state: 's',
        codeChallenge: sha256Base64Url(verifier),
        redirectUri: CALLBACK,
      })
      url.searchParams.set('nonce', 'attacker-chosen')
      const code = (await followToCallback(url)).searchParams.get('code') ?? ''
      const revocations = google.requestsTo('revoke').length
      await assert.rejects(
        upstream.exchangeCode(code, verifier, CALLBACK),
        /ID token rejected: nonce does not match/,
      )
      assert.equal(google.requestsTo('revoke').length, revocations + 1, 'the tokens we refused were revoked')
    })

    test('a 5xx at discovery is UpstreamUnavailableError, and the next attempt after the backoff discovers again', async () => {
      const clock = new FakeClock(Date.now())
      const upstream = oidc(configFor(okta), { clock })
      okta.failures.set('discovery', { kind: 'status', status: 503 }, 1)
      await rejectsUpstream(
        upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
        UpstreamUnavailableError,
      )
      clock.advance(1_000)
      const url = await upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      assert.ok(url)
    })

    test('a malformed key set is UpstreamResponseError at code exchange', async () => {
      const upstream = oidc(configFor(okta))
      const verifier = randomToken()
      const back = await kit.followBack(upstream, {
        state: 's',
        codeChallenge: sha256Base64Url(verifier),
      })
      const code = back.searchParams.get('code') ?? ''
      okta.failures.set('jwks', { kind: 'malformed' }, 1)
      await rejectsUpstream(upstream.exchangeCode(code, verifier, CALLBACK), UpstreamResponseError, [
        code,
        verifier,
      ])
    })

    test('a slow token endpoint times out as UpstreamUnavailableError', async () => {
      const { tokens } = await login(okta)
      const impatient = oidc(configFor(okta), { timeoutMs: 200 })
      await impatient.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      okta.failures.set('token', { kind: 'slow', delayMs: 10_000 }, 1)
      await rejectsUpstream(Promise.resolve(impatient.refresh?.(tokens)), UpstreamUnavailableError, [
        tokens.refreshToken ?? '',
      ])
    })

    test('an OAuth error with HTTP 200 from the token endpoint is UpstreamOAuthError', async () => {
      const { upstream, tokens } = await login(okta)
      okta.failures.set('token', { kind: 'oauth-error', error: 'invalid_grant', status: 200 }, 1)
      await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamOAuthError, [
        tokens.refreshToken ?? '',
      ])
    })
  })
})
