import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BASE, Harness, pathOf, RESOURCE } from './helpers/harness.js'

describe('metadata endpoints', () => {
  let h: Harness
  before(async () => {
    h = await Harness.start({
      urls: { baseUrl: `${BASE}/` },
      auth: {
        authorization: { required_scopes: ['mxcp:access', 'mxcp:read'] },
        clients: [{ client_id: 'cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:admin'] }],
      },
    })
  })
  after(async () => {
    await h.close()
  })

  /** `private_key_jwt` is for clients identified by a metadata document (CIMD). */
  const AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic', 'private_key_jwt']
  const ASSERTION_ALGORITHMS = [
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
  ]

  test('RFC 8414 metadata: one issuer spelling without a trailing slash, S256 only, iss supported', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
    assert.equal(response.statusCode, 200)
    const metadata = response.json()
    assert.deepEqual(metadata, {
      issuer: BASE,
      authorization_endpoint: `${BASE}/authorize`,
      token_endpoint: `${BASE}/token`,
      registration_endpoint: `${BASE}/register`,
      revocation_endpoint: `${BASE}/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: AUTH_METHODS,
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['mxcp:access', 'mxcp:read', 'mxcp:admin'],
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
    })
  })

  test('RFC 9728 metadata is served at the root and path-inserted URLs with the canonical MCP URL as resource', async () => {
    for (const url of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const response = await h.app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 200, url)
      assert.deepEqual(response.json(), {
        resource: RESOURCE,
        authorization_servers: [BASE],
        scopes_supported: ['mxcp:access', 'mxcp:read', 'mxcp:admin'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP server',
      })
    }
  })

  test('the issuer is byte-identical in AS metadata, PRM and the iss of an authorization response', async () => {
    const as = (await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json()
    const prm = (
      await h.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })
    ).json()
    const client = await h.register()
    const login = await h.login(client.clientId)
    assert.equal(prm.authorization_servers[0], as.issuer)
    assert.equal(login.params.get('iss'), as.issuer)
  })

  test('metadata and token endpoints allow cross-origin calls; preflight answers 204', async () => {
    const metadata = await h.app.inject({
      method: 'GET',
      url: '/.well-known/oauth-authorization-server',
      headers: { origin: 'https://inspector.test' },
    })
    assert.equal(metadata.headers['access-control-allow-origin'], '*')
    const preflight = await h.app.inject({
      method: 'OPTIONS',
      url: '/token',
      headers: { origin: 'https://inspector.test', 'access-control-request-method': 'POST' },
    })
    assert.equal(preflight.statusCode, 204)
    assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/)
    const token = await h.token({ grant_type: 'authorization_code' })
    assert.equal(token.headers['access-control-allow-origin'], '*')
  })

  test('the consent page gets no CORS header', async () => {
    const client = await h.register()
    const response = await h.app.inject({ method: 'GET', url: pathOf(h.authorizeUrl(client.clientId).url) })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['access-control-allow-origin'], undefined)
  })
})

describe('metadata with another MCP path', () => {
  test('PRM is path-inserted for the configured mcpPath and the resource follows it', async () => {
    const h = await Harness.start({ mcpPath: '/tools/mcp' })
    try {
      const response = await h.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-protected-resource/tools/mcp',
      })
      assert.equal(response.statusCode, 200)
      assert.equal(response.json().resource, `${BASE}/tools/mcp`)
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })).statusCode,
        404,
      )
    } finally {
      await h.close()
    }
  })
})
