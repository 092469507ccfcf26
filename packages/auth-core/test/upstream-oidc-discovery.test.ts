import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type GoogleStandIn, startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { FakeClock } from '../src/clock.js'
import { UpstreamResponseError, UpstreamUnavailableError } from '../src/index.js'
import { fetchOidcMetadata, OidcDiscovery } from '../src/upstream/oidc-discovery.js'
import { discoveryUrl, parseOidcMetadata } from '../src/upstream/oidc-metadata.js'

let idp: GoogleStandIn
before(async () => {
  idp = await startGoogleStandIn()
})
after(() => idp.close())

const http = { provider: 'oidc', timeoutMs: 5_000 }
const discoveries = (): number => idp.requestsTo('discovery').length

describe('OpenID Connect discovery (OIDC Discovery 1.0 §4)', () => {
  test('the discovery URL is appended to the issuer, keeping its path and dropping a trailing slash', () => {
    assert.equal(
      discoveryUrl('https://sso.example.com/realms/main/').href,
      'https://sso.example.com/realms/main/.well-known/openid-configuration',
    )
    assert.equal(
      discoveryUrl('https://tenant.auth0.com/').href,
      'https://tenant.auth0.com/.well-known/openid-configuration',
    )
  })

  test('the metadata names every endpoint of the issuer', async () => {
    const metadata = await fetchOidcMetadata(idp.issuer, http)
    assert.equal(metadata.issuer, idp.issuer)
    assert.equal(metadata.authorizationEndpoint, idp.endpoints.auth_url)
    assert.equal(metadata.tokenEndpoint, idp.endpoints.token_url)
    assert.equal(metadata.userinfoEndpoint, idp.endpoints.userinfo_url)
    assert.equal(metadata.revocationEndpoint, idp.endpoints.revoke_url)
    assert.deepEqual(metadata.idTokenSigningAlgs, ['RS256'])
  })

  test('the document is fetched once, shared by concurrent callers, and fetched again after its TTL', async () => {
    const clock = new FakeClock()
    const discovery = new OidcDiscovery({
      ...http,
      issuer: idp.issuer,
      ttlMs: 60_000,
      now: () => clock.now(),
    })
    const before = discoveries()
    const [first, second] = await Promise.all([discovery.get(), discovery.get()])
    assert.equal(first, second)
    await discovery.get()
    assert.equal(discoveries() - before, 1)
    clock.advance(60_000)
    await discovery.get()
    assert.equal(discoveries() - before, 2)
  })

  test('a failed first discovery is retried after a backoff, not by every caller at once', async () => {
    const clock = new FakeClock()
    const discovery = new OidcDiscovery({ ...http, issuer: idp.issuer, now: () => clock.now() })
    idp.failures.set('discovery', { kind: 'status', status: 503 }, 1)
    const before = discoveries()
    const unavailable = (error: unknown): boolean =>
      error instanceof UpstreamUnavailableError && error.status === 503
    await assert.rejects(discovery.get(), unavailable)
    await assert.rejects(discovery.get(), unavailable, 'within the backoff the failure is answered at once')
    assert.equal(discoveries() - before, 1)
    clock.advance(1_000)
    const metadata = await discovery.get()
    assert.equal(metadata.issuer, idp.issuer)
    assert.equal(discoveries() - before, 2)
  })

  test('when a refetch fails, the last good document stays in use and a warning is logged', async () => {
    const clock = new FakeClock()
    const warnings: string[] = []
    const log = { info: () => {}, warn: (_: unknown, message: string) => warnings.push(message) }
    const discovery = new OidcDiscovery({
      ...http,
      issuer: idp.issuer,
      ttlMs: 60_000,
      now: () => clock.now(),
      log,
    })
    const good = await discovery.get()
    clock.advance(60_000)
    idp.failures.set('discovery', { kind: 'status', status: 503 }, 1)
    assert.equal(await discovery.get(), good)
    assert.match(warnings.join('\n'), /OpenID discovery failed .*keeping the last good document/)
    clock.advance(1_000)
    assert.equal((await discovery.get()).issuer, idp.issuer)
  })

  test('a missing document is an UpstreamResponseError carrying the 404', async () => {
    await assert.rejects(fetchOidcMetadata(`${idp.url}/no/such/tenant`, http), (error: unknown) => {
      assert.ok(error instanceof UpstreamResponseError)
      assert.equal(error.status, 404)
      assert.match(
        error.message,
        /no OpenID configuration at .*\/no\/such\/tenant\/\.well-known\/openid-configuration/,
      )
      return true
    })
  })

  test('a document that is not JSON is an UpstreamResponseError', async () => {
    idp.failures.set('discovery', { kind: 'malformed' }, 1)
    await assert.rejects(fetchOidcMetadata(idp.issuer, http), /not JSON/)
  })

  test('a document naming another issuer is refused (§4.3)', () => {
    const doc = {
      issuer: 'https://evil.example.com',
      authorization_endpoint: 'https://a',
      token_endpoint: 'https://t',
      jwks_uri: 'https://k',
    }
    assert.throws(
      () => parseOidcMetadata(doc, 'https://sso.example.com', 'oidc'),
      /names issuer "https:\/\/evil\.example\.com"/,
    )
  })

  test('an https issuer may not send us to plain-http endpoints', () => {
    const doc = {
      issuer: 'https://sso.example.com',
      authorization_endpoint: 'https://sso.example.com/auth',
      token_endpoint: 'http://sso.example.com/token',
      jwks_uri: 'https://sso.example.com/keys',
    }
    assert.throws(
      () => parseOidcMetadata(doc, 'https://sso.example.com', 'oidc'),
      /token_endpoint must be an https URL/,
    )
  })

  test('a document without a token endpoint or key set is refused', () => {
    const doc = { issuer: 'https://sso.example.com', authorization_endpoint: 'https://sso.example.com/auth' }
    assert.throws(() => parseOidcMetadata(doc, 'https://sso.example.com', 'oidc'), /has no token_endpoint/)
  })

  test('methods default as the spec says when the document omits them', () => {
    const doc = {
      issuer: 'https://sso.example.com',
      authorization_endpoint: 'https://sso.example.com/auth',
      token_endpoint: 'https://sso.example.com/token',
      jwks_uri: 'https://sso.example.com/keys',
    }
    const metadata = parseOidcMetadata(doc, 'https://sso.example.com/', 'oidc')
    assert.deepEqual(metadata.tokenEndpointAuthMethods, ['client_secret_basic'])
    assert.deepEqual(metadata.idTokenSigningAlgs, ['RS256'])
    assert.equal(metadata.userinfoEndpoint, undefined)
    assert.equal(metadata.revocationEndpoint, undefined)
  })
})
