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
  sha256Base64Url,
  upstreamTestKit,
} from '@mxcp/auth-core/testing'
import {
  GOOGLE_DISCOVERY_DOCUMENT,
  type GoogleStandIn,
  startGoogleStandIn,
} from '@mxcp/testing/stand-ins/google'
import { followToCallback } from '@mxcp/testing/stand-ins/standard-shared'
import * as googlePackage from '../src/index.js'
import { GOOGLE_AUTH_URL, GOOGLE_ISSUER, type GoogleConfig, google } from '../src/index.js'

const CALLBACK = 'http://localhost:8000/google/callback'

function configFor(idp: GoogleStandIn, extra: Partial<GoogleConfig> = {}): GoogleConfig {
  return { client_id: idp.clientId, client_secret: idp.clientSecret, ...idp.endpoints, ...extra }
}

const kit = upstreamTestKit({ provider: 'google', redirectUri: CALLBACK, follow: followToCallback })
const { rejectsUpstream } = kit

/** The browser part of a login plus the code exchange. */
async function login(idp: GoogleStandIn, extra: Partial<GoogleConfig> = {}) {
  return kit.login(google(configFor(idp, extra), { timeoutMs: 5_000 }))
}

describe('Google provider', () => {
  let idp: GoogleStandIn
  before(async () => {
    idp = await startGoogleStandIn({ redirectUris: [CALLBACK] })
  })
  after(() => idp.close())

  describe('configuration', () => {
    test('the package exports the factory as default, as `provider`, and its id', () => {
      assertProviderExports(googlePackage, google, 'google')
    })

    test('missing client_id and client_secret fail with the guide’s message naming both', () => {
      assertConfigError(
        () => google({}),
        'Google OAuth configuration is incomplete: missing google.client_id, google.client_secret',
      )
    })

    test('a raw block without defaults gets the guide’s defaults, by discovery on Google’s issuer', async () => {
      // Tests never reach Google: this fetch answers for accounts.google.com with its document.
      const asked: string[] = []
      const fetchGoogle = async (input: string | URL | Request): Promise<Response> => {
        const href = input instanceof Request ? input.url : String(input)
        asked.push(href)
        if (href === `${GOOGLE_ISSUER}/.well-known/openid-configuration`)
          return Response.json(GOOGLE_DISCOVERY_DOCUMENT)
        return new Response('not found', { status: 404 })
      }
      const upstream = google(
        { client_id: 'id.apps.googleusercontent.com', client_secret: 's' },
        { fetch: fetchGoogle },
      )
      assert.equal(upstream.callbackPath, '/google/callback')
      const url = await upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      assert.equal(`${url.origin}${url.pathname}`, GOOGLE_AUTH_URL)
      assert.equal(url.searchParams.get('scope'), 'openid profile email')
      assert.deepEqual(asked, ['https://accounts.google.com/.well-known/openid-configuration'])
    })

    test('auth_url, token_url, userinfo_url and revoke_url replace the discovered endpoints', async () => {
      const upstream = google(configFor(idp, { auth_url: `${idp.url}/elsewhere/auth` }))
      const url = await upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK })
      assert.equal(`${url.origin}${url.pathname}`, `${idp.url}/elsewhere/auth`)
    })

    test('only the issuer is needed: every endpoint comes from its discovery document', async () => {
      const { upstream, tokens } = await kit.login(
        google({ client_id: idp.clientId, client_secret: idp.clientSecret, issuer: idp.issuer }),
      )
      assert.equal((await upstream.userInfo(tokens)).userId, idp.user.sub)
      assert.ok(idp.requestsTo('discovery').length > 0)
      assert.ok(idp.requestsTo('jwks').length > 0, 'the ID token was checked against the key set')
    })

    test('an endpoint over plain http off loopback is refused at start-up', () => {
      assertConfigError(
        () => google({ client_id: 'c', client_secret: 's', token_url: 'http://oauth2.example.com/token' }),
        'google.token_url must be an https URL (http is accepted on loopback only)',
      )
    })

    test('an issuer over plain http off loopback is refused at start-up', () => {
      assertConfigError(
        () => google({ client_id: 'c', client_secret: 's', issuer: 'http://accounts.example.com' }),
        'google.issuer must be an https URL (http is accepted on loopback only)',
      )
    })

    test('the guide’s Google block loads unchanged and builds the provider', () => {
      const auth = validateAuthConfig(
        {
          provider: 'google',
          google: {
            client_id: 'id.apps.googleusercontent.com',
            client_secret: 'secret',
            scope: 'https://www.googleapis.com/auth/calendar.readonly openid profile email',
            callback_path: '/google/callback',
            auth_url: 'https://accounts.google.com/o/oauth2/v2/auth',
            token_url: 'https://oauth2.googleapis.com/token',
          },
        },
        'auth',
        'auth config',
        new ProviderRegistry([google]),
      )
      assert.ok(auth.google)
      const upstream = google(auth.google)
      assert.equal(upstream.id, 'google')
      assert.equal(upstream.label, 'Google')
    })
  })

  describe('authorization URL', () => {
    test('asks for a code with PKCE S256, offline access and the consent screen, and no secret', async () => {
      const upstream = google(configFor(idp))
      const challenge = sha256Base64Url('verifier')
      const url = await upstream.authorizationUrl({
        state: 'st',
        codeChallenge: challenge,
        redirectUri: CALLBACK,
      })
      assert.equal(`${url.origin}${url.pathname}`, idp.endpoints.auth_url)
      const { nonce, ...params } = Object.fromEntries(url.searchParams)
      // OpenID Connect on the shared client: a nonce bound to the PKCE challenge (new with discovery).
      assert.match(nonce ?? '', /^[A-Za-z0-9_-]{43}$/)
      assert.deepEqual(params, {
        response_type: 'code',
        client_id: idp.clientId,
        redirect_uri: CALLBACK,
        scope: 'openid profile email',
        state: 'st',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        access_type: 'offline',
        prompt: 'consent',
      })
    })
  })

  describe('code exchange, user info, refresh, revoke', () => {
    test('the code is exchanged with our verifier for access, refresh and ID tokens', async () => {
      const { tokens, verifier } = await login(idp)
      assert.match(tokens.accessToken, /^ya29\./)
      assert.match(tokens.refreshToken ?? '', /^1\/\/0/)
      assert.ok(tokens.idToken)
      assert.ok(tokens.expiresAt && tokens.expiresAt > Date.now())
      assert.equal(idp.requestsTo('token').at(-1)?.form?.['code_verifier'], verifier)
    })

    test('signing in again still brings a refresh token (prompt=consent)', async () => {
      await login(idp)
      const { tokens } = await login(idp)
      assert.ok(tokens.refreshToken)
    })

    test('user info maps to the user context shape: sub, email as username, name, raw profile', async () => {
      const { upstream, tokens } = await login(idp)
      const user = await upstream.userInfo(tokens)
      assert.deepEqual(
        { userId: user.userId, username: user.username, email: user.email, name: user.name },
        { userId: idp.user.sub, username: idp.user.email, email: idp.user.email, name: idp.user.name },
      )
      // Only the allowlisted claims are kept (`keepProfileClaims`): no picture, no locale.
      assert.deepEqual(
        user.rawProfile,
        Object.fromEntries(
          Object.entries(idp.user).filter(([claim]) => !['picture', 'locale'].includes(claim)),
        ),
      )
      assert.equal(user.attributes, undefined, 'a consumer account has no hd')
    })

    test('hosted_domain: hd is sent, a Workspace account of that domain signs in (hd is an attribute), a consumer account is refused', async () => {
      const workspace = await startGoogleStandIn({ redirectUris: [CALLBACK], user: { hd: 'example.com' } })
      try {
        const { upstream, tokens, url } = await kit.login(
          google(configFor(workspace, { hosted_domain: 'Example.com' }), { timeoutMs: 5_000 }),
        )
        assert.equal(url.searchParams.get('hd'), 'example.com')
        const user = await upstream.userInfo(tokens)
        assert.deepEqual(user.attributes, { hd: 'example.com' })
      } finally {
        await workspace.close()
      }
      const { upstream, tokens } = await login(idp, { hosted_domain: 'example.com' })
      await assert.rejects(upstream.userInfo(tokens), {
        name: 'UpstreamAccountRefusedError',
        userMessage: /only Google Workspace accounts of example\.com/,
      })
    })

    test('hosted_domain is enforced on the ID token’s hd too: another domain there is refused', async () => {
      const workspace = await startGoogleStandIn({ redirectUris: [CALLBACK], user: { hd: 'example.com' } })
      workspace.setIdTokenClaims({ hd: 'evil.example' })
      try {
        const { upstream, tokens } = await kit.login(
          google(configFor(workspace, { hosted_domain: 'example.com' }), { timeoutMs: 5_000 }),
        )
        await assert.rejects(upstream.userInfo(tokens), { name: 'UpstreamAccountRefusedError' })
      } finally {
        await workspace.close()
      }
    })

    test('an ID token for another client or from another issuer is refused at the exchange, and what came with it is revoked', async () => {
      for (const claims of [
        { aud: 'someone-else.apps.googleusercontent.com' },
        { iss: 'https://accounts.google.com' },
      ]) {
        idp.setIdTokenClaims(claims)
        const revokes = idp.requestsTo('revoke').length
        try {
          await assert.rejects(login(idp), UpstreamResponseError)
          assert.equal(
            idp.requestsTo('revoke').length,
            revokes + 1,
            'the refused tokens are revoked upstream',
          )
        } finally {
          idp.setIdTokenClaims({})
        }
      }
    })

    test('the scope always includes openid and email, whatever is configured', async () => {
      const url = await google(configFor(idp, { scope: 'profile' })).authorizationUrl({
        state: 's',
        codeChallenge: 'c'.repeat(43),
        redirectUri: CALLBACK,
      })
      assert.deepEqual(url.searchParams.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile'])
    })

    test('an unverified email is neither the email nor the username', async () => {
      const unverified = await startGoogleStandIn({
        redirectUris: [CALLBACK],
        user: { email_verified: false },
      })
      try {
        const { upstream, tokens } = await login(unverified)
        const user = await upstream.userInfo(tokens)
        assert.equal(user.email, undefined)
        assert.equal(user.username, unverified.user.sub)
      } finally {
        await unverified.close()
      }
    })

    test('refresh gives a new access token and keeps the refresh token Google does not rotate', async () => {
      const { upstream, tokens } = await login(idp)
      const fresh = await upstream.refresh?.(tokens)
      assert.ok(fresh)
      assert.notEqual(fresh.accessToken, tokens.accessToken)
      assert.equal(fresh.refreshToken, tokens.refreshToken)
    })

    test('a rotated refresh token replaces the old one, which then fails', async () => {
      const { upstream, tokens } = await login(idp)
      idp.rotateRefreshTokens = true
      try {
        const fresh = await upstream.refresh?.(tokens)
        assert.ok(fresh?.refreshToken)
        assert.notEqual(fresh.refreshToken, tokens.refreshToken)
        await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamOAuthError, [
          tokens.refreshToken ?? '',
        ])
      } finally {
        idp.rotateRefreshTokens = false
      }
    })

    test('revoke ends the grant upstream; revoking a dead token again is not an error', async () => {
      const { upstream, tokens } = await login(idp)
      await upstream.revoke?.(tokens)
      assert.equal(idp.requestsTo('revoke').at(-1)?.form?.['token'], tokens.refreshToken)
      await rejectsUpstream(upstream.userInfo(tokens), UpstreamOAuthError)
      await upstream.revoke?.(tokens)
    })
  })

  describe('failure modes', () => {
    test('denied consent comes back as error=access_denied, and nothing is exchanged', async () => {
      await kit.assertDeniedWithoutExchange(google(configFor(idp)), idp, { state: 'st', codeChallenge: 'c' })
    })

    test('a bad code is UpstreamOAuthError invalid_grant, naming neither code nor secret', async () => {
      const attempt = { code: '4/0A-forged', verifier: 'verifier' }
      const secrets = ['4/0A-forged', 'verifier', idp.clientSecret]
      await kit.assertExchangeRefused(google(configFor(idp)), attempt, 'invalid_grant', secrets)
    })

    test('a wrong client secret is UpstreamOAuthError invalid_client', async () => {
      const upstream = google(configFor(idp, { client_secret: 'GOCSPX-wrong' }))
      const attempt = { code: '4/0A-any', verifier: 'verifier' }
      await kit.assertExchangeRefused(upstream, attempt, 'invalid_client', ['GOCSPX-wrong'])
    })

    test('a 5xx from the token endpoint is UpstreamUnavailableError', async () => {
      const { upstream, tokens } = await login(idp)
      idp.failures.set('token', { kind: 'status', status: 503 }, 1)
      await rejectsUpstream(Promise.resolve(upstream.refresh?.(tokens)), UpstreamUnavailableError, [
        tokens.refreshToken ?? '',
      ])
    })

    test('a malformed user info body is UpstreamResponseError', async () => {
      const { upstream, tokens } = await login(idp)
      idp.failures.set('userinfo', { kind: 'malformed' }, 1)
      await rejectsUpstream(upstream.userInfo(tokens), UpstreamResponseError, [tokens.accessToken])
    })

    test('a slow token endpoint times out as UpstreamUnavailableError', async () => {
      const upstream = google(configFor(idp), { timeoutMs: 200 })
      idp.failures.set('token', { kind: 'slow', delayMs: 10_000 }, 1)
      await rejectsUpstream(
        upstream.exchangeCode('4/0A-any', 'verifier', CALLBACK),
        UpstreamUnavailableError,
        ['4/0A-any'],
      )
    })

    test('tokens revoked at Google fail user info (invalid_token) and refresh (invalid_grant)', async () => {
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

    test('a revocation endpoint answering 5xx is UpstreamUnavailableError', async () => {
      const { upstream, tokens } = await login(idp)
      idp.failures.set('revoke', { kind: 'status', status: 500 }, 1)
      await rejectsUpstream(Promise.resolve(upstream.revoke?.(tokens)), UpstreamUnavailableError, [
        tokens.refreshToken ?? '',
      ])
    })
  })
})
