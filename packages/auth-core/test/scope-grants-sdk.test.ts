import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { connectWithOAuth, type FakeIdp, HeadlessOAuthClient, startFakeIdp } from '@mxcp/testing'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { mxcpAuth, requireUser, validateAuthConfig } from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'

/** Stateless Streamable HTTP with one tool that answers the caller's scopes. */
async function serveMcp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const server = new McpServer({ name: 'grants', version: '1.0.0' })
  const scopes = [...requireUser(request).scopes]
  server.registerTool('whoami', { description: 'The caller and their scopes' }, async () => ({
    content: [{ type: 'text', text: `${requireUser(request).username} ${scopes.join(' ')}` }],
  }))
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  reply.hijack()
  reply.raw.on('close', () => {
    void transport.close()
    void server.close()
  })
  await server.connect(transport)
  await transport.handleRequest(request.raw, reply.raw, request.body)
}

/**
 * The guide's `required_scopes` example (`mxcp:access` and `mxcp:admin`), with `mxcp:admin`
 * granted to the members of one organization, driven by the real MCP SDK client (which registers
 * itself, so nothing about the client can grant a scope).
 */
describe('scopes granted from the user, with the real MCP SDK client', () => {
  let idp: FakeIdp
  let app: FastifyInstance
  let mcpUrl: string

  before(async () => {
    idp = await startFakeIdp()
    app = Fastify({ logger: { level: 'error' } })
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
        authorization: {
          required_scopes: ['mxcp:access', 'mxcp:admin'],
          scope_grants: { 'mxcp:admin': { organizations: ['admins'] } },
        },
      }),
      provider: fakeIdpProvider(idp),
    })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.post('/mcp', serveMcp)
    })
    mcpUrl = `${await app.listen({ host: '127.0.0.1', port: 0 })}/mcp`
  })
  after(async () => {
    await app.close()
    await idp.close()
  })

  /** A client without refresh tokens: a step-up then needs a new authorization, as it should. */
  const sdkClient = () => new HeadlessOAuthClient({ grantTypes: ['authorization_code'] })

  test('required_scopes: a user who is not granted mxcp:admin gets 403 insufficient_scope, and no token of theirs carries it', async () => {
    idp.user = { ...idp.user, sub: '2001', login: 'bob', organizations: ['acme'] }
    const oauth = sdkClient()
    await assert.rejects(connectWithOAuth(mcpUrl, oauth))
    const asked = oauth.authorizationUrls.map((url) => url.searchParams.get('scope'))
    assert.deepEqual(
      asked,
      ['mxcp:access mxcp:admin', 'mxcp:access mxcp:admin'],
      'asked twice: login, then step-up',
    )
    const token = oauth.tokens()
    assert.equal(token?.scope, 'mxcp:access', 'the server grants only what the user is granted')
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token?.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    assert.equal(response.status, 403)
    assert.match(
      response.headers.get('www-authenticate') ?? '',
      /error="insufficient_scope".*scope="mxcp:access mxcp:admin"/,
    )
  })

  test('required_scopes: a user granted mxcp:admin (by organization) gets 200', async () => {
    idp.user = { ...idp.user, sub: '3001', login: 'carol', organizations: ['admins'] }
    const client = await connectWithOAuth(mcpUrl, sdkClient())
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'carol mxcp:access mxcp:admin' }])
    } finally {
      await client.close()
    }
  })

  test('step-up: after a 403 insufficient_scope the SDK re-authorizes for more scope and gets it exactly when the user is entitled', async () => {
    idp.user = { ...idp.user, sub: '4001', login: 'dave', organizations: [] }
    const oauth = sdkClient()
    await assert.rejects(connectWithOAuth(mcpUrl, oauth))
    assert.equal(oauth.tokens()?.scope, 'mxcp:access', 'not entitled: the step-up gained nothing')
    // Dave joins the organization; his old token still lacks the scope, so the server answers 403
    // and the SDK steps up: this time the user is entitled, and the new token carries mxcp:admin.
    idp.user = { ...idp.user, organizations: ['admins'] }
    const logins = oauth.authorizationUrls.length
    const client = await connectWithOAuth(mcpUrl, oauth)
    try {
      assert.equal(oauth.authorizationUrls.length, logins + 1, 'one step-up authorization')
      assert.equal(oauth.tokens()?.scope, 'mxcp:access mxcp:admin')
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'dave mxcp:access mxcp:admin' }])
    } finally {
      await client.close()
    }
  })
})
