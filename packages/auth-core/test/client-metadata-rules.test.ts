import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { FakeClock } from '../src/clock.js'
import { InvalidClientError } from '../src/errors/oauth-error.js'
import { validateAuthConfig } from '../src/index.js'
import { isPublicAddress } from '../src/server/client-metadata/address-ranges.js'
import { freshnessMs } from '../src/server/client-metadata/cache-lifetime.js'
import { isUrlClientId, parseClientIdUrl } from '../src/server/client-metadata/client-id-url.js'
import {
  checkFetchTarget,
  clientMetadataPolicy,
  hostMatches,
} from '../src/server/client-metadata/client-metadata-policy.js'
import { DocumentCache } from '../src/server/client-metadata/document-cache.js'
import { DocumentFetchError } from '../src/server/client-metadata/fetch-json-document.js'
import { parseMetadataDocument } from '../src/server/client-metadata/parse-metadata-document.js'

const config = (block: Record<string, unknown> = {}) =>
  validateAuthConfig({ client_metadata: block }).client_metadata

describe('client metadata: the rules, one by one', () => {
  test('the auth.client_metadata block defaults to on, public hosts on port 443, 5 KB, 3 s, cached 60 s to a day', () => {
    assert.deepEqual(config(), {
      enabled: true,
      allowed_hosts: [],
      allow_private_hosts: false,
      allowed_ports: [443],
      max_bytes: 5120,
      timeout_ms: 3000,
      cache_min_seconds: 60,
      cache_max_seconds: 86400,
    })
  })

  test('loopback, private, link-local, shared, reserved and multicast addresses are not public; mapped IPv6 is judged by its IPv4', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
      '192.0.2.10',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::10.0.0.1',
      '2001:db8::1',
      '2002:7f00:1::1',
      'not-an-address',
    ]) {
      assert.equal(isPublicAddress(address), false, address)
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPublicAddress(address), true, address)
    }
  })

  test('a URL client_id must be https, with a path, no dot segments, fragment or credentials, in normalized form', () => {
    assert.equal(isUrlClientId('https://app.example.com/client.json'), true)
    assert.equal(isUrlClientId('http://app.example.com/client.json'), true)
    assert.equal(isUrlClientId('3f2a-uuid'), false)
    assert.equal(parseClientIdUrl('https://app.example.com/client.json').host, 'app.example.com')
    for (const [clientId, reason] of [
      ['http://app.example.com/client.json', /must use https/],
      ['https://app.example.com/', /must have a path/],
      ['https://app.example.com', /must have a path/],
      ['https://app.example.com/a/../client.json', /\. or \.\. path segments/],
      ['https://app.example.com/a/%2e%2e/client.json', /\. or \.\. path segments/],
      ['https://app.example.com/client.json#x', /fragment/],
      ['https://user:pw@app.example.com/client.json', /user name or password/],
      ['https://APP.example.com/client.json', /normalized form/],
      ['https://app.example.com:443/client.json', /normalized form/],
      [`https://app.example.com/${'a'.repeat(2100)}`, /longer than/],
    ] as const) {
      assert.throws(
        () => parseClientIdUrl(clientId),
        (error: unknown) => {
          assert.ok(error instanceof InvalidClientError, clientId)
          assert.match(error.description, reason, clientId)
          return true
        },
      )
    }
  })

  test('allowed_hosts matches exact hosts and *.domain subdomains only', () => {
    assert.equal(hostMatches('app.example.com', ['app.example.com']), true)
    assert.equal(hostMatches('APP.example.com', ['app.example.com']), true)
    assert.equal(hostMatches('a.b.example.com', ['*.example.com']), true)
    assert.equal(hostMatches('example.com', ['*.example.com']), false)
    assert.equal(hostMatches('evilexample.com', ['*.example.com']), false)
    assert.equal(hostMatches('app.example.com.evil.net', ['app.example.com']), false)
  })

  test('before any connection: the host allowlist, the port, and IP literals that are not public are refused', () => {
    const strict = clientMetadataPolicy(config({ allowed_hosts: ['app.example.com'] }))
    const open = clientMetadataPolicy(config())
    const refused = (url: string, policy = open) =>
      assert.throws(
        () => checkFetchTarget(new URL(url), policy, 'The client_id URL'),
        InvalidClientError,
        url,
      )
    refused('https://other.example.com/c.json', strict)
    refused('https://app.example.com:8443/c.json', strict)
    refused('https://127.0.0.1/c.json')
    refused('https://[::1]/c.json')
    refused('https://169.254.169.254/latest/meta-data')
    refused('https://10.0.0.5/c.json')
    checkFetchTarget(new URL('https://app.example.com/c.json'), strict, 'x')
    checkFetchTarget(new URL('https://93.184.216.34/c.json'), open, 'x')
    const privateAllowed = clientMetadataPolicy(
      config({ allowed_hosts: ['127.0.0.1'], allow_private_hosts: true, allowed_ports: [8443] }),
    )
    checkFetchTarget(new URL('https://127.0.0.1:8443/c.json'), privateAllowed, 'x')
  })

  test('allow_private_hosts without allowed_hosts is refused outright, as are malformed host patterns', () => {
    assert.throws(
      () => clientMetadataPolicy(config({ allow_private_hosts: true })),
      /needs auth\.client_metadata\.allowed_hosts/,
    )
    assert.throws(
      () => clientMetadataPolicy(config({ allowed_hosts: ['https://x.example.com/'] })),
      /allowed_hosts\[0\]/,
    )
    assert.throws(
      () => clientMetadataPolicy(config({ cache_min_seconds: 100, cache_max_seconds: 10 })),
      /cache_min_seconds/,
    )
  })

  test('cache lifetime follows max-age, Age, Expires and no-store, clamped to the floor and the ceiling', () => {
    const min = 60_000
    const max = 3_600_000
    assert.equal(freshnessMs({ 'cache-control': 'public, max-age=600' }, min, max), 600_000)
    assert.equal(freshnessMs({ 'cache-control': 'max-age=600', age: '100' }, min, max), 500_000)
    assert.equal(freshnessMs({ 'cache-control': 'max-age=5' }, min, max), min, 'the floor')
    assert.equal(freshnessMs({ 'cache-control': 'max-age=999999' }, min, max), max, 'the ceiling')
    assert.equal(freshnessMs({ 'cache-control': 'no-store' }, min, max), min)
    assert.equal(freshnessMs({ 'cache-control': 'no-cache, max-age=600' }, min, max), min)
    assert.equal(
      freshnessMs(
        { expires: 'Thu, 01 Jan 2026 01:00:00 GMT', date: 'Thu, 01 Jan 2026 00:30:00 GMT' },
        min,
        max,
      ),
      1_800_000,
    )
    assert.equal(freshnessMs({}, min, max), min, 'nothing said: the floor')
  })

  test('the document: a JSON object whose client_id is its URL, with a name and redirect URIs, public (none or private_key_jwt)', () => {
    const url = new URL('https://app.example.com/client.json')
    const scopes = { supported: ['mxcp:access', 'mxcp:read'], required: [] }
    const valid = {
      client_id: url.href,
      client_name: 'App',
      redirect_uris: ['https://app.example.com/cb'],
    }
    const client = parseMetadataDocument(valid, url, scopes, 0)
    assert.equal(client.authMethod, 'none')
    assert.deepEqual(client.record.redirectUris, ['https://app.example.com/cb'])
    assert.deepEqual(client.record.scopes, ['mxcp:access', 'mxcp:read'], 'no scope: every scope we support')
    assert.equal(client.record.clientSecretHash, undefined)
    assert.deepEqual(
      parseMetadataDocument({ ...valid, scope: 'mxcp:read other:scope' }, url, scopes, 0).record.scopes,
      ['mxcp:read'],
      'scopes of other servers are ignored',
    )
    for (const [document, reason] of [
      [[], /not a JSON object/],
      [
        { ...valid, client_id: 'https://app.example.com/other.json' },
        /client_id that is not exactly its own URL/,
      ],
      [{ ...valid, client_name: undefined }, /no client_name/],
      [{ ...valid, redirect_uris: undefined }, /no redirect_uris/],
      [{ ...valid, redirect_uris: [] }, /non-empty array/],
      [{ ...valid, redirect_uris: ['http://app.example.com/cb'] }, /must use https/],
      [{ ...valid, client_secret: 's3cret' }, /client_secret/],
      [{ ...valid, token_endpoint_auth_method: 'client_secret_basic' }, /other than none or private_key_jwt/],
      [{ ...valid, token_endpoint_auth_method: 'private_key_jwt' }, /without jwks or an https jwks_uri/],
      [
        {
          ...valid,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
        },
        /not an asymmetric public key/,
      ],
      [
        {
          ...valid,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] },
        },
        /private key material/,
      ],
      [
        {
          ...valid,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [] },
          jwks_uri: 'https://app.example.com/jwks',
        },
        /both jwks and jwks_uri/,
      ],
      [{ ...valid, grant_types: ['client_credentials'] }, /Unsupported grant_types/],
    ] as const) {
      assert.throws(
        () => parseMetadataDocument(document, url, scopes, 0),
        (error: unknown) => {
          assert.ok(error instanceof InvalidClientError)
          assert.match(error.description, reason)
          return true
        },
      )
    }
  })

  test('the cache shares one load between concurrent callers, and a recent copy stands in only for transient failures', async () => {
    const clock = new FakeClock()
    const cache = new DocumentCache<string>({
      clock,
      usableMs: 10_000,
      maxEntries: 2,
      isTransient: (error) => error instanceof DocumentFetchError && error.transient,
    })
    let loads = 0
    const load = async () => {
      loads++
      return { value: `v${loads}`, freshMs: 1000 }
    }
    const stale: unknown[] = []
    const onStale = (error: unknown) => stale.push(error)
    assert.deepEqual(await Promise.all([1, 2, 3].map(() => cache.get('a', load, onStale))), [
      'v1',
      'v1',
      'v1',
    ])
    assert.equal(loads, 1)
    clock.advance(1000)
    const down = async () => {
      throw new DocumentFetchError('unreachable', 'down')
    }
    assert.equal(await cache.get('a', down, onStale), 'v1', 'unreachable: the copy stands in')
    assert.equal(stale.length, 1)
    clock.advance(9000)
    await assert.rejects(cache.get('a', down, onStale), DocumentFetchError, 'past the ceiling: no copy')
    await cache.get('b', load, onStale)
    clock.advance(1000)
    const invalid = async () => {
      throw new DocumentFetchError('not_json', 'html')
    }
    await assert.rejects(
      cache.get('b', invalid, onStale),
      DocumentFetchError,
      'a definitive failure drops the copy',
    )
    assert.equal(cache.peek('b'), undefined)
  })
})
