import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { followToCallback } from '@mxcp/testing/stand-ins/standard-shared'
import { decodeJwt } from 'jose'
import { sha256Base64Url } from '../src/crypto.js'
import { UpstreamIdentityChangedError, UpstreamOAuthError } from '../src/index.js'
import { OidcClient, type OidcClientOptions } from '../src/upstream/oidc-client.js'
import { nonceFromChallenge, nonceFromVerifier } from '../src/upstream/oidc-nonce.js'

const REDIRECT = 'http://localhost:8000/oidc/callback'
let idp: OidcProviderStandIn
let postIdp: OidcProviderStandIn

before(async () => {
  idp = await startOidcProviderStandIn({ realm: 'main', redirectUris: [REDIRECT] })
  postIdp = await startOidcProviderStandIn({
    realm: 'post',
    redirectUris: [REDIRECT],
    tokenEndpointAuthMethod: 'client_secret_post',
  })
})
after(async () => {
  await idp.close()
  await postIdp.close()
})

function client(on: OidcProviderStandIn, overrides: Partial<OidcClientOptions> = {}): OidcClient {
  return new OidcClient({
    provider: 'oidc',
    issuer: on.issuer,
    clientId: on.clientId,
    clientSecret: on.clientSecret,
    scope: 'openid profile email',
    timeoutMs: 5_000,
    ...overrides,
  })
}

/** Runs the authorization step as a user would and returns the code and the verifier. */
async function authorize(oidc: OidcClient): Promise<{ code: string; verifier: string; url: URL }> {
  const verifier = randomBytes(32).toString('base64url')
  const url = await oidc.authorizationUrl({
    state: 'our-state',
    codeChallenge: sha256Base64Url(verifier),
    redirectUri: REDIRECT,
  })
  const back = await followToCallback(url)
  assert.equal(back.searchParams.get('state'), 'our-state')
  return { code: back.searchParams.get('code') ?? '', verifier, url }
}

describe('the shared OpenID Connect client against a certified OpenID provider', () => {
  test('the authorization URL is the discovered endpoint with PKCE S256 and a nonce bound to the challenge', async () => {
    const challenge = sha256Base64Url('a-verifier')
    const url = await client(idp).authorizationUrl({
      state: 's',
      codeChallenge: challenge,
      redirectUri: REDIRECT,
    })
    assert.equal(`${url.origin}${url.pathname}`, `${idp.issuer}/protocol/openid-connect/auth`)
    assert.equal(url.searchParams.get('code_challenge'), challenge)
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
    assert.equal(url.searchParams.get('nonce'), nonceFromChallenge(challenge))
    assert.equal(nonceFromVerifier('a-verifier'), nonceFromChallenge(challenge))
    assert.equal(url.searchParams.get('scope'), 'openid profile email')
    assert.equal(url.searchParams.get('client_secret'), null)
  })

  test('a code is exchanged with the verifier; the ID token is validated and carries our nonce', async () => {
    const oidc = client(idp)
    const { code, verifier } = await authorize(oidc)
    const tokens = await oidc.exchangeCode(code, verifier, REDIRECT)
    assert.ok(tokens.accessToken)
    assert.ok(tokens.refreshToken)
    assert.ok(tokens.idToken)
    assert.equal(decodeJwt(tokens.idToken).nonce, nonceFromVerifier(verifier))
    const form = idp.requestsTo('token').at(-1)?.form
    assert.equal(form?.['code_verifier'], verifier)
    assert.equal(
      form?.['client_secret'],
      undefined,
      'the secret went in the Basic header, as announced first',
    )
    assert.match(String(idp.requestsTo('token').at(-1)?.headers.authorization), /^Basic /)
  })

  test('user info comes from the UserInfo endpoint and is about the ID token subject', async () => {
    const oidc = client(idp)
    const { code, verifier } = await authorize(oidc)
    const claims = await oidc.userInfoClaims(await oidc.exchangeCode(code, verifier, REDIRECT))
    assert.equal(claims['sub'], idp.user.sub)
    assert.equal(claims['preferred_username'], 'ada')
  })

  test('user info about another subject than the ID token is refused (OIDC Core §5.3.4)', async () => {
    const oidc = client(idp)
    const { code, verifier } = await authorize(oidc)
    const tokens = await oidc.exchangeCode(code, verifier, REDIRECT)
    const otherIdToken = `e30.${Buffer.from(JSON.stringify({ sub: 'someone-else' })).toString('base64url')}.sig`
    await assert.rejects(
      oidc.userInfoClaims({ ...tokens, idToken: otherIdToken }),
      (error: unknown) =>
        error instanceof UpstreamIdentityChangedError &&
        /the user info sub is not the ID token sub/.test(error.message),
    )
  })

  test('refresh keeps the user; with rotation the new refresh token replaces the old one', async () => {
    const oidc = client(idp)
    const { code, verifier } = await authorize(oidc)
    const tokens = await oidc.exchangeCode(code, verifier, REDIRECT)
    idp.rotateRefreshTokens = true
    try {
      const fresh = await oidc.refresh(tokens)
      assert.notEqual(fresh.accessToken, tokens.accessToken)
      assert.notEqual(fresh.refreshToken, tokens.refreshToken)
      assert.ok(fresh.idToken)
      assert.equal(decodeJwt(fresh.idToken).sub, idp.user.sub)
      await assert.rejects(
        oidc.refresh(tokens),
        (error: unknown) => error instanceof UpstreamOAuthError && error.code === 'invalid_grant',
      )
    } finally {
      idp.rotateRefreshTokens = false
    }
  })

  test('revocation ends the grant: the refresh token no longer works', async () => {
    const oidc = client(idp)
    const { code, verifier } = await authorize(oidc)
    const tokens = await oidc.exchangeCode(code, verifier, REDIRECT)
    await oidc.revoke(tokens)
    assert.equal(idp.requestsTo('revoke').at(-1)?.form?.['token_type_hint'], 'refresh_token')
    await assert.rejects(
      oidc.refresh(tokens),
      (error: unknown) => error instanceof UpstreamOAuthError && error.code === 'invalid_grant',
    )
  })

  test('the client authentication method is chosen once: an invalid_client never switches it', async () => {
    const oidc = client(postIdp)
    const first = await authorize(oidc)
    await assert.rejects(oidc.exchangeCode(first.code, first.verifier, REDIRECT), /invalid_client/)
    const second = await authorize(oidc)
    await assert.rejects(oidc.exchangeCode(second.code, second.verifier, REDIRECT), /invalid_client/)
    assert.deepEqual(
      postIdp.requestsTo('token').map((request) => (request.headers.authorization ? 'basic' : 'post')),
      ['basic', 'basic'],
      'the first announced method (client_secret_basic), every time',
    )
  })

  test('token_endpoint_auth_method from the configuration is the method used', async () => {
    const oidc = client(postIdp, { clientAuth: 'client_secret_post' })
    const before = postIdp.requestsTo('token').length
    const { code, verifier } = await authorize(oidc)
    const tokens = await oidc.exchangeCode(code, verifier, REDIRECT)
    assert.ok(tokens.accessToken)
    const sent = postIdp.requestsTo('token').slice(before)
    assert.deepEqual(
      sent.map((request) => (request.headers.authorization ? 'basic' : 'post')),
      ['post'],
    )
  })

  test('a wrong client secret is invalid_client, with no secret in the message', async () => {
    const oidc = client(idp, { clientSecret: 'not-the-secret' })
    const { code, verifier } = await authorize(oidc)
    await assert.rejects(oidc.exchangeCode(code, verifier, REDIRECT), (error: unknown) => {
      assert.ok(error instanceof UpstreamOAuthError)
      assert.equal(error.code, 'invalid_client')
      for (const secret of ['not-the-secret', code, verifier]) assert.ok(!error.message.includes(secret))
      return true
    })
  })

  test('an issuer with a path configured with a trailing slash still discovers its own issuer', async () => {
    assert.match(idp.issuer, /\/realms\/main$/)
    const oidc = client(idp, { issuer: `${idp.issuer}/` })
    assert.equal((await oidc.metadata()).issuer, idp.issuer, 'the issuer is the one the document names')
    const { code, verifier } = await authorize(oidc)
    assert.ok((await oidc.exchangeCode(code, verifier, REDIRECT)).idToken)
  })

  test('the discovery document is fetched once for many flows', async () => {
    const oidc = client(idp)
    const before = idp.requestsTo('discovery').length
    for (let flow = 0; flow < 2; flow += 1) {
      const { code, verifier } = await authorize(oidc)
      await oidc.exchangeCode(code, verifier, REDIRECT)
    }
    assert.equal(idp.requestsTo('discovery').length - before, 1)
  })
})
