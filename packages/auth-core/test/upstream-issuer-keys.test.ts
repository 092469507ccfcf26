import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { UpstreamResponseError, UpstreamUnavailableError } from '../src/index.js'
import { OidcClient } from '../src/upstream/oidc-client.js'
import { nonceFromVerifier } from '../src/upstream/oidc-nonce.js'
import { type ScriptedOp, startScriptedOp } from './helpers/scripted-op.js'

/**
 * The issuer's key set (RFC 7517, OIDC Core §10.1.1) as `OidcClient` uses it: oauth4webapi's
 * cache (kept 5 minutes; one refetch for an unknown `kid` once the copy is a minute old) plus our
 * one addition (`IssuerKeys`): a failed refetch keeps the last good keys. The library reads the
 * time from `Date`, so these tests move a mocked `Date`.
 */
const VERIFIER = 'the-verifier'
const REDIRECT = 'http://localhost:8000/oidc/callback'
let op: ScriptedOp

before(async () => {
  op = await startScriptedOp()
  op.algorithms = ['ES256']
})
after(() => op.close())
beforeEach(() => {
  mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) })
  op.jwksAnswer = undefined
})
afterEach(() => mock.timers.reset())

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } }
}

function token(privateKey: CryptoKey, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ nonce: nonceFromVerifier(VERIFIER) })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(op.issuer)
    .setAudience('client')
    .setSubject('user')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey)
}

function client(): OidcClient {
  return new OidcClient({
    provider: 'oidc',
    issuer: op.issuer,
    clientId: 'client',
    clientSecret: 'secret',
    scope: 'openid',
    discoveryTtlMs: 24 * 60 * 60 * 1000,
  })
}

/** One code exchange whose ID token is `idToken`. */
async function exchange(oidc: OidcClient, idToken: string): Promise<void> {
  op.idToken = idToken
  const tokens = await oidc.exchangeCode('code', VERIFIER, REDIRECT)
  assert.equal(tokens.idToken, idToken)
}

describe('the issuer key set (oauth4webapi cache, with the last good keys kept)', () => {
  test('keys are fetched once and reused for every token', async () => {
    const first = await keyPair('k1')
    op.keys = [first.jwk]
    const oidc = client()
    const before = op.count('jwks')
    const signed = await token(first.privateKey, 'k1')
    await Promise.all([exchange(oidc, signed), exchange(oidc, signed)])
    await exchange(oidc, await token(first.privateKey, 'k1'))
    assert.equal(op.count('jwks') - before, 1)
  })

  test('a token signed with a new key makes the client fetch the rotated key set once', async () => {
    const first = await keyPair('k1')
    const second = await keyPair('k2')
    op.keys = [first.jwk]
    const oidc = client()
    const before = op.count('jwks')
    await exchange(oidc, await token(first.privateKey, 'k1'))
    op.keys = [first.jwk, second.jwk]
    mock.timers.tick(60_000)
    await exchange(oidc, await token(second.privateKey, 'k2'))
    assert.equal(op.count('jwks') - before, 2)
  })

  test('unknown keys within the cooldown do not make the client hammer the key set endpoint', async () => {
    const first = await keyPair('k1')
    const stranger = await keyPair('k9')
    op.keys = [first.jwk]
    const oidc = client()
    const before = op.count('jwks')
    await exchange(oidc, await token(first.privateKey, 'k1'))
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await assert.rejects(
        exchange(oidc, await token(stranger.privateKey, 'k9')),
        /signed with a key the provider does not publish/,
      )
    }
    assert.equal(op.count('jwks') - before, 1)
  })

  test('when the refetch of an aged key set fails, the last good keys stay in use', async () => {
    const first = await keyPair('k1')
    op.keys = [first.jwk]
    const oidc = client()
    const before = op.count('jwks')
    await exchange(oidc, await token(first.privateKey, 'k1'))
    mock.timers.tick(5 * 60_000)
    op.jwksAnswer = { status: 503, body: '' }
    await exchange(oidc, await token(first.privateKey, 'k1'))
    assert.equal(op.count('jwks') - before, 2, 'the refetch was tried')
    await exchange(oidc, await token(first.privateKey, 'k1'))
    assert.equal(
      op.count('jwks') - before,
      2,
      'and is not retried by every token until the cache period has passed',
    )
    mock.timers.tick(5 * 60_000)
    op.jwksAnswer = undefined
    await exchange(oidc, await token(first.privateKey, 'k1'))
    assert.equal(op.count('jwks') - before, 3, 'then the key set is fetched again')
  })

  test('a failing key set endpoint is an upstream error of the closed set', async () => {
    const first = await keyPair('k1')
    const signed = await token(first.privateKey, 'k1')
    op.jwksAnswer = { status: 503, body: '' }
    await assert.rejects(
      exchange(client(), signed),
      (error: unknown) => error instanceof UpstreamUnavailableError && error.status === 503,
    )
    op.jwksAnswer = { status: 200, body: '<html>login</html>' }
    await assert.rejects(
      exchange(client(), signed),
      (error: unknown) => error instanceof UpstreamResponseError && /not JSON/.test(error.message),
    )
    op.jwksAnswer = { status: 200, body: '{"keys":"none"}' }
    await assert.rejects(
      exchange(client(), signed),
      (error: unknown) => error instanceof UpstreamResponseError && /no keys array/.test(error.message),
    )
    op.jwksAnswer = { status: 404, body: '{}' }
    await assert.rejects(
      exchange(client(), signed),
      (error: unknown) => error instanceof UpstreamResponseError && error.status === 404,
    )
  })
})
