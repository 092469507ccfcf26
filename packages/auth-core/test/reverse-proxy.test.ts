import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { UrlOptions } from '../src/index.js'
import { Harness } from './helpers/harness.js'

async function issuerWith(
  urls: UrlOptions,
  headers: Record<string, string>,
): Promise<{ issuer: string; resource: string; challenge: string }> {
  const h = await Harness.start({ urls })
  try {
    const as = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server', headers })
    const prm = await h.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-protected-resource/mcp',
      headers,
    })
    const guarded = await h.app.inject({ method: 'GET', url: '/mcp', headers })
    return {
      issuer: as.json().issuer,
      resource: prm.json().resource,
      challenge: String(guarded.headers['www-authenticate']),
    }
  } finally {
    await h.close()
  }
}

const FORWARDED = {
  host: 'internal:8000',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'api.example.com',
}

describe('external URLs behind a reverse proxy', () => {
  test('base_url wins over the Host header and every forwarding header', async () => {
    const urls = await issuerWith(
      { baseUrl: 'https://mcp.example.org', trustProxy: true, scheme: 'http' },
      FORWARDED,
    )
    assert.equal(urls.issuer, 'https://mcp.example.org')
    assert.equal(urls.resource, 'https://mcp.example.org/mcp')
    assert.match(
      urls.challenge,
      /resource_metadata="https:\/\/mcp\.example\.org\/\.well-known\/oauth-protected-resource\/mcp"/,
    )
  })

  test('scheme + Host: a TLS-terminating proxy with scheme: https', async () => {
    const urls = await issuerWith({ scheme: 'https' }, { host: 'api.example.com' })
    assert.equal(urls.issuer, 'https://api.example.com')
    assert.equal(urls.resource, 'https://api.example.com/mcp')
  })

  test('trust_proxy: X-Forwarded-Proto and X-Forwarded-Host are used', async () => {
    const urls = await issuerWith({ trustProxy: true }, FORWARDED)
    assert.equal(urls.issuer, 'https://api.example.com')
    assert.match(urls.challenge, /https:\/\/api\.example\.com\/\.well-known/)
  })

  test('trust_proxy: X-Forwarded-Scheme works too, and the first of a list is taken', async () => {
    const urls = await issuerWith(
      { trustProxy: true },
      { host: 'internal', 'x-forwarded-scheme': 'https', 'x-forwarded-host': 'a.example.com, b.example.com' },
    )
    assert.equal(urls.issuer, 'https://a.example.com')
  })

  test('without trust_proxy the forwarding headers are ignored', async () => {
    const urls = await issuerWith({}, FORWARDED)
    assert.equal(urls.issuer, 'http://internal:8000')
  })

  test('a default port is dropped so the issuer has one spelling', async () => {
    const urls = await issuerWith({ scheme: 'https' }, { host: 'API.example.com:443' })
    assert.equal(urls.issuer, 'https://api.example.com')
  })

  test('an invalid Host header is a 400, not a URL built from it', async () => {
    const h = await Harness.start({ urls: {} })
    try {
      const response = await h.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        headers: { host: 'evil.test/path?x' },
      })
      assert.equal(response.statusCode, 400)
      assert.equal(response.json().error, 'invalid_request')
      const page = await h.app.inject({ method: 'GET', url: '/authorize', headers: { host: 'bad host' } })
      assert.equal(page.statusCode, 400)
      assert.match(String(page.headers['content-type']), /text\/html/)
    } finally {
      await h.close()
    }
  })

  test('a token issued under one host name is refused under another (audience follows the URL)', async () => {
    const h = await Harness.start({ urls: { scheme: 'https' } })
    try {
      const issued = await h.issue()
      assert.equal((await h.call(issued.accessToken, '/mcp', { host: 'mcp.test' })).statusCode, 200)
      const elsewhere = await h.call(issued.accessToken, '/mcp', { host: 'other.example.com' })
      assert.equal(elsewhere.statusCode, 401)
      assert.match(String(elsewhere.headers['www-authenticate']), /another resource/)
    } finally {
      await h.close()
    }
  })
})
