import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose'
import { FakeClock } from '../src/clock.js'
import { UpstreamIdentityChangedError, UpstreamResponseError } from '../src/index.js'
import { OidcClient } from '../src/upstream/oidc-client.js'
import { nonceFromVerifier } from '../src/upstream/oidc-nonce.js'
import { type ScriptedOp, startScriptedOp } from './helpers/scripted-op.js'

/**
 * The ID token rules of OIDC Core §3.1.3.7 as `OidcClient` applies them on oauth4webapi, at the
 * code exchange (and §12.2 at refresh): the provider here answers any ID token the test signs.
 */
const CLIENT = 'mxcp-client'
const VERIFIER = 'a-verifier-of-the-one-transaction-we-hold'
const REDIRECT = 'http://localhost:8000/oidc/callback'
const clock = new FakeClock(Date.UTC(2026, 0, 1))

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
let op: ScriptedOp
let signingKey: Key
let strangerKey: Key

before(async () => {
  op = await startScriptedOp()
  const pair = await generateKeyPair('RS256')
  signingKey = pair.privateKey
  strangerKey = (await generateKeyPair('RS256')).privateKey
  op.keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }]
})
after(() => op.close())

async function idToken(claims: JWTPayload = {}, key: Key = signingKey): Promise<string> {
  const iat = Math.floor(clock.now() / 1000)
  return new SignJWT({ nonce: nonceFromVerifier(VERIFIER), ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : op.issuer)
    .setAudience(claims.aud ?? CLIENT)
    .setSubject(claims.sub ?? 'user-1')
    .setIssuedAt(iat)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : iat + 300)
    .sign(key)
}

function client(): OidcClient {
  return new OidcClient({
    provider: 'kc',
    issuer: op.issuer,
    clientId: CLIENT,
    clientSecret: 'the-client-secret-that-is-long-enough',
    scope: 'openid',
    now: () => clock.now(),
  })
}

/** Exchanges a code whose token response carries `token`; returns the ID token's claims. */
async function exchange(token: string): Promise<Record<string, unknown>> {
  op.idToken = token
  const tokens = await client().exchangeCode('code', VERIFIER, REDIRECT)
  assert.equal(tokens.idToken, token)
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
}

async function rejects(token: string, rule: RegExp): Promise<void> {
  op.idToken = token
  const revocations = op.count('revoke')
  await assert.rejects(client().exchangeCode('code', VERIFIER, REDIRECT), (error: unknown) => {
    assert.ok(error instanceof UpstreamResponseError, 'an UpstreamResponseError')
    assert.match(error.message, rule)
    assert.ok(!error.message.includes(token), 'the token is not in the message')
    assert.ok(!error.message.includes(token.split('.')[1] ?? '-'), 'no part of the token is in the message')
    assert.ok(!String(error.cause).includes(token.split('.')[1] ?? '-'), 'nor in its cause')
    return true
  })
  assert.equal(op.count('revoke'), revocations + 1, 'the tokens we refuse are revoked')
}

describe('ID token validation (OIDC Core §3.1.3.7) on oauth4webapi', () => {
  test('a token signed by the issuer for us, in time, with our nonce, is accepted with its claims', async () => {
    const claims = await exchange(await idToken({ email: 'ada@example.com' }))
    assert.equal(claims['sub'], 'user-1')
    assert.equal(claims['email'], 'ada@example.com')
  })

  test('another issuer is refused', async () => {
    await rejects(await idToken({ iss: 'https://evil.example.com' }), /iss claim/)
  })

  test('a token for another client is refused', async () => {
    await rejects(await idToken({ aud: 'someone-else' }), /aud claim/)
  })

  test('several audiences need an azp naming us', async () => {
    await rejects(await idToken({ aud: [CLIENT, 'api'] }), /several audiences and no azp/)
    await rejects(await idToken({ aud: [CLIENT, 'api'], azp: 'api' }), /azp is another client/)
    const claims = await exchange(await idToken({ aud: [CLIENT, 'api'], azp: CLIENT }))
    assert.equal(claims['azp'], CLIENT)
  })

  test('an expired token is refused once the clock tolerance of 60 s is used up', async () => {
    const now = Math.floor(clock.now() / 1000)
    const within = await exchange(await idToken({ exp: now - 30 }))
    assert.equal(within['sub'], 'user-1')
    await rejects(await idToken({ exp: now - 90 }), /expired/)
  })

  test('a token whose nonce is not the one we sent is refused', async () => {
    await rejects(await idToken({ nonce: 'replayed' }), /nonce does not match/)
    await rejects(await idToken({ nonce: undefined }), /nonce claim is missing|nonce does not match/)
  })

  test('a token signed with a key the issuer does not publish is refused', async () => {
    await rejects(await idToken({}, strangerKey), /signature does not verify/)
  })

  test('an unsigned token (alg none) is refused', async () => {
    const token = new UnsecuredJWT({ nonce: nonceFromVerifier(VERIFIER) })
      .setIssuer(op.issuer)
      .setAudience(CLIENT)
      .setSubject('user-1')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor(clock.now() / 1000) + 300)
      .encode()
    await rejects(token, /not allowed|not a valid JWT/)
  })

  test('an HMAC token keyed with our client secret is refused even if the issuer announces HS256', async () => {
    const token = await new SignJWT({ nonce: nonceFromVerifier(VERIFIER) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(op.issuer)
      .setAudience(CLIENT)
      .setSubject('user-1')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor(clock.now() / 1000) + 300)
      .sign(new TextEncoder().encode('the-client-secret-that-is-long-enough'))
    try {
      op.algorithms = ['RS256', 'HS256']
      await rejects(token, /not allowed/)
      op.algorithms = ['HS256']
      op.idToken = token
      await assert.rejects(
        client().exchangeCode('code', VERIFIER, REDIRECT),
        /none of the announced algorithms \(HS256\) is accepted/,
      )
    } finally {
      op.algorithms = ['RS256']
    }
  })

  test('a refreshed ID token about another user is refused (OIDC Core §12.2), and its tokens revoked', async () => {
    const first = await idToken()
    op.idToken = await idToken({ sub: 'user-2', nonce: undefined })
    const revocations = op.count('revoke')
    await assert.rejects(
      client().refresh({ accessToken: 'at', refreshToken: 'rt', idToken: first }),
      (error: unknown) =>
        error instanceof UpstreamIdentityChangedError && /another sub or iss/.test(error.message),
    )
    assert.equal(op.count('revoke'), revocations + 1)
  })

  test('a refreshed ID token about the same user must itself be valid', async () => {
    const first = await idToken()
    op.idToken = await idToken({ nonce: undefined }, strangerKey)
    await assert.rejects(
      client().refresh({ accessToken: 'at', refreshToken: 'rt', idToken: first }),
      /signature does not verify/,
    )
    op.idToken = await idToken({ nonce: undefined })
    const fresh = await client().refresh({ accessToken: 'at', refreshToken: 'rt', idToken: first })
    assert.equal(fresh.idToken, op.idToken)
  })
})
