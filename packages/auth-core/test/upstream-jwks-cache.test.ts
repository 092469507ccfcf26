import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { FakeClock } from '../src/clock.js'
import { UpstreamResponseError, UpstreamUnavailableError } from '../src/index.js'
import { verifyIdToken } from '../src/upstream/id-token.js'
import { JwksCache } from '../src/upstream/jwks-cache.js'

/** A key set endpoint whose keys, status and body the test controls, counting its requests. */
let server: Server
let jwksUri = ''
let published: JWK[] = []
let answer: { status: number; body?: string } | undefined
let fetches = 0

before(async () => {
  server = createServer((_req, res) => {
    fetches += 1
    res.writeHead(answer?.status ?? 200, { 'content-type': 'application/json' })
    res.end(answer?.body ?? JSON.stringify({ keys: published }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } }
}

async function token(privateKey: CryptoKey, kid: string, now: number): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer('https://issuer.example')
    .setAudience('client')
    .setSubject('user')
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 300)
    .sign(privateKey)
}

const expectations = (clock: FakeClock) => ({
  provider: 'oidc',
  issuer: 'https://issuer.example',
  clientId: 'client',
  algorithms: ['ES256'],
  now: () => clock.now(),
})

describe('the issuer key set cache (RFC 7517, OIDC Core §10.1.1)', () => {
  test('keys are fetched once and reused for every token', async () => {
    const clock = new FakeClock()
    const first = await keyPair('k1')
    published = [first.jwk]
    fetches = 0
    const cache = new JwksCache({ provider: 'oidc', jwksUri, now: () => clock.now() })
    await Promise.all([
      verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock)),
      verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock)),
    ])
    await verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock))
    assert.equal(fetches, 1)
  })

  test('a token signed with a new key makes the cache fetch the rotated key set once', async () => {
    const clock = new FakeClock()
    const first = await keyPair('k1')
    const second = await keyPair('k2')
    published = [first.jwk]
    fetches = 0
    const cache = new JwksCache({ provider: 'oidc', jwksUri, now: () => clock.now(), cooldownMs: 30_000 })
    await verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock))
    published = [first.jwk, second.jwk]
    clock.advance(30_000)
    const claims = await verifyIdToken(
      await token(second.privateKey, 'k2', clock.now()),
      cache.getKey,
      expectations(clock),
    )
    assert.equal(claims.sub, 'user')
    assert.equal(fetches, 2)
  })

  test('unknown keys within the cooldown do not make the cache hammer the key set endpoint', async () => {
    const clock = new FakeClock()
    const first = await keyPair('k1')
    const stranger = await keyPair('k9')
    published = [first.jwk]
    fetches = 0
    const cache = new JwksCache({ provider: 'oidc', jwksUri, now: () => clock.now(), cooldownMs: 30_000 })
    await verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock))
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await assert.rejects(
        verifyIdToken(await token(stranger.privateKey, 'k9', clock.now()), cache.getKey, expectations(clock)),
        /signed with a key the provider does not publish/,
      )
    }
    assert.equal(fetches, 1)
  })

  test('when the refetch of an aged key set fails, the last good keys stay in use', async () => {
    const clock = new FakeClock()
    const first = await keyPair('k1')
    published = [first.jwk]
    fetches = 0
    const cache = new JwksCache({ provider: 'oidc', jwksUri, now: () => clock.now(), maxAgeMs: 60_000 })
    await verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock))
    clock.advance(60_000)
    answer = { status: 503 }
    try {
      const claims = await verifyIdToken(
        await token(first.privateKey, 'k1', clock.now()),
        cache.getKey,
        expectations(clock),
      )
      assert.equal(claims.sub, 'user')
      assert.equal(fetches, 2, 'the refetch was tried')
      await verifyIdToken(await token(first.privateKey, 'k1', clock.now()), cache.getKey, expectations(clock))
      assert.equal(fetches, 2, 'and is not retried by every token until the cooldown has passed')
    } finally {
      answer = undefined
    }
  })

  test('a failing key set endpoint is an upstream error of the closed set', async () => {
    const clock = new FakeClock()
    const first = await keyPair('k1')
    const signed = await token(first.privateKey, 'k1', clock.now())
    answer = { status: 503 }
    await assert.rejects(
      verifyIdToken(signed, new JwksCache({ provider: 'oidc', jwksUri }).getKey, expectations(clock)),
      (error: unknown) => error instanceof UpstreamUnavailableError && error.status === 503,
    )
    answer = { status: 200, body: '<html>login</html>' }
    await assert.rejects(
      verifyIdToken(signed, new JwksCache({ provider: 'oidc', jwksUri }).getKey, expectations(clock)),
      (error: unknown) => error instanceof UpstreamResponseError && /not JSON/.test(error.message),
    )
    answer = { status: 200, body: '{"keys":"none"}' }
    await assert.rejects(
      verifyIdToken(signed, new JwksCache({ provider: 'oidc', jwksUri }).getKey, expectations(clock)),
      (error: unknown) => error instanceof UpstreamResponseError && /no keys array/.test(error.message),
    )
    answer = undefined
  })
})
