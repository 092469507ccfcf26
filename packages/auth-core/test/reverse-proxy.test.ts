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
    const urls = await issuerWith(
      { scheme: 'https', allowedHosts: ['api.example.com'] },
      { host: 'api.example.com' },
    )
    assert.equal(urls.issuer, 'https://api.example.com')
    assert.equal(urls.resource, 'https://api.example.com/mcp')
  })

  test('trust_proxy: X-Forwarded-Proto and X-Forwarded-Host are used', async () => {
    const urls = await issuerWith({ trustProxy: true }, FORWARDED)
    assert.equal(urls.issuer, 'https://api.example.com')
    assert.match(urls.challenge, /https:\/\/api\.example\.com\/\.well-known/)
  })

  test('trust_proxy: X-Forwarded-Scheme works too, and the value the nearest proxy wrote (the last) is taken', async () => {
    const urls = await issuerWith(
      { trustProxy: true },
      { host: 'internal', 'x-forwarded-scheme': 'https', 'x-forwarded-host': 'a.example.com, b.example.com' },
    )
    assert.equal(urls.issuer, 'https://b.example.com')
  })

  test('without trust_proxy the forwarding headers are ignored', async () => {
    const urls = await issuerWith({ allowedHosts: ['internal'] }, FORWARDED)
    assert.equal(urls.issuer, 'http://internal:8000')
  })

  test('a default port is dropped so the issuer has one spelling', async () => {
    const urls = await issuerWith(
      { scheme: 'https', allowedHosts: ['api.example.com'] },
      { host: 'API.example.com:443' },
    )
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
    const h = await Harness.start({
      urls: { scheme: 'https', allowedHosts: ['mcp.test', 'other.example.com'] },
    })
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

  test('without base_url a Host that is neither loopback nor allowed gets a 400 and no metadata', async () => {
    const h = await Harness.start({ urls: { allowedHosts: ['mcp.example.org'] } })
    try {
      for (const host of ['evil.example', 'attacker.test:8000', 'rebind.example.com']) {
        for (const url of [
          '/.well-known/oauth-authorization-server',
          '/.well-known/oauth-protected-resource/mcp',
        ]) {
          const response = await h.app.inject({ method: 'GET', url, headers: { host } })
          assert.equal(response.statusCode, 400, `${host} ${url}`)
          assert.equal(response.json().error, 'invalid_request')
          assert.doesNotMatch(response.body, /issuer|authorization_servers/)
        }
      }
      for (const host of ['mcp.example.org', 'localhost:8000', '127.0.0.1', '[::1]:9']) {
        const ok = await h.app.inject({
          method: 'GET',
          url: '/.well-known/oauth-authorization-server',
          headers: { host },
        })
        assert.equal(ok.statusCode, 200, host)
      }
    } finally {
      await h.close()
    }
  })

  test('forwarding headers from a peer that is not a trusted proxy are ignored', async () => {
    const h = await Harness.start({ urls: { trustProxy: ['10.0.0.0/8'] } })
    try {
      const fromClient = await h.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        headers: { host: 'localhost:8000', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        remoteAddress: '203.0.113.9',
      })
      assert.equal(fromClient.json().issuer, 'http://localhost:8000')
      const fromProxy = await h.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-authorization-server',
        headers: { host: 'internal', 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' },
        remoteAddress: '10.1.2.3',
      })
      assert.equal(fromProxy.json().issuer, 'https://api.example.com')
    } finally {
      await h.close()
    }
  })

  test('metadata documents carry Cache-Control, and Vary on the headers their URLs come from', async () => {
    const h = await Harness.start({ urls: { trustProxy: true } })
    try {
      const response = await h.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-protected-resource/mcp',
        headers: { host: 'localhost:8000' },
      })
      assert.match(String(response.headers['cache-control']), /max-age=\d+/)
      const vary = String(response.headers.vary)
      for (const header of ['Host', 'X-Forwarded-Host', 'X-Forwarded-Proto'])
        assert.ok(vary.includes(header), vary)
    } finally {
      await h.close()
    }
  })
})
