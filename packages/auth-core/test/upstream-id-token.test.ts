import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose'
import { FakeClock } from '../src/clock.js'
import { UpstreamResponseError } from '../src/index.js'
import { verifyIdToken } from '../src/upstream/id-token.js'

const ISSUER = 'https://sso.example.com/realms/main'
const CLIENT = 'mxcp-client'
const clock = new FakeClock(Date.UTC(2026, 0, 1))

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
let signingKey: Key
let strangerKey: Key
let keys: ReturnType<typeof createLocalJWKSet>

before(async () => {
  const pair = await generateKeyPair('RS256')
  signingKey = pair.privateKey
  strangerKey = (await generateKeyPair('RS256')).privateKey
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] })
})

async function idToken(claims: JWTPayload = {}, key: Key = signingKey): Promise<string> {
  const iat = Math.floor(clock.now() / 1000)
  return new SignJWT({ nonce: 'n-1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setAudience(claims.aud ?? CLIENT)
    .setSubject(claims.sub ?? 'user-1')
    .setIssuedAt(iat)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : iat + 300)
    .sign(key)
}

const expect = {
  provider: 'kc',
  issuer: ISSUER,
  clientId: CLIENT,
  algorithms: ['RS256'],
  nonce: 'n-1',
  now: () => clock.now(),
}

async function rejects(
  token: string,
  rule: RegExp,
  overrides: Partial<typeof expect> & { subject?: string } = {},
) {
  await assert.rejects(verifyIdToken(token, keys, { ...expect, ...overrides }), (error: unknown) => {
    assert.ok(error instanceof UpstreamResponseError, 'an UpstreamResponseError')
    assert.match(error.message, rule)
    assert.ok(!error.message.includes(token), 'the token is not in the message')
    assert.ok(!error.message.includes(token.split('.')[1] ?? '-'), 'no part of the token is in the message')
    return true
  })
}

describe('ID token validation (OIDC Core §3.1.3.7)', () => {
  test('a token signed by the issuer for us, in time, with our nonce, is accepted with its claims', async () => {
    const claims = await verifyIdToken(await idToken({ email: 'ada@example.com' }), keys, expect)
    assert.equal(claims.sub, 'user-1')
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
    const claims = await verifyIdToken(await idToken({ aud: [CLIENT, 'api'], azp: CLIENT }), keys, expect)
    assert.equal(claims.azp, CLIENT)
  })

  test('an expired token is refused once the clock tolerance of 60 s is used up', async () => {
    const now = Math.floor(clock.now() / 1000)
    const within = await verifyIdToken(await idToken({ exp: now - 30 }), keys, expect)
    assert.equal(within.sub, 'user-1')
    await rejects(await idToken({ exp: now - 90 }), /expired/)
  })

  test('a token whose nonce is not the one we sent is refused', async () => {
    await rejects(await idToken({ nonce: 'replayed' }), /nonce does not match/)
    await rejects(await idToken({ nonce: undefined }), /nonce does not match/)
  })

  test('a token signed with a key the issuer does not publish is refused', async () => {
    await rejects(await idToken({}, strangerKey), /signature does not verify/)
  })

  test('an unsigned token (alg none) is refused', async () => {
    const token = new UnsecuredJWT({ nonce: 'n-1' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode()
    await rejects(token, /not allowed|not a valid JWT/)
  })

  test('an HMAC token keyed with our client secret is refused even if the issuer announces HS256', async () => {
    const token = await new SignJWT({ nonce: 'n-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('the-client-secret-that-is-long-enough'))
    await rejects(token, /not allowed/, { algorithms: ['RS256', 'HS256'] })
    await rejects(token, /none of the announced algorithms/, { algorithms: ['HS256'] })
  })

  test('a refreshed ID token about another user is refused (OIDC Core §12.2)', async () => {
    await rejects(await idToken({ sub: 'user-2' }), /sub differs/, { subject: 'user-1', nonce: undefined })
  })
})
