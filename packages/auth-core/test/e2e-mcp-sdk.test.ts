import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectWithOAuth, type FakeIdp, HeadlessOAuthClient, startFakeIdp } from '@mxcp/testing'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { mxcpAuth, validateAuthConfig } from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'
import { serveMcp } from './helpers/stateless-mcp.js'

describe('end to end with the real MCP SDK client', () => {
  let idp: FakeIdp
  let app: FastifyInstance
  let origin: string

  before(async () => {
    idp = await startFakeIdp()
    app = Fastify()
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
      }),
      provider: fakeIdpProvider(idp),
    })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.post('/mcp', serveMcp)
      const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
        reply
          .code(405)
          .header('allow', 'POST')
          .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null })
      mcp.get('/mcp', notAllowed)
      mcp.delete('/mcp', notAllowed)
    })
    origin = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await idp.close()
  })

  test('discovery → registration → consent → fake upstream → callback → token → a guarded MCP tool', async () => {
    const oauth = new HeadlessOAuthClient({ expectedIssuer: origin })
    const client = await connectWithOAuth(`${origin}/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'alice' }])
      const clientInfo = oauth.clientInformation()
      assert.ok(clientInfo?.client_id, 'the SDK registered itself (RFC 7591)')
      assert.deepEqual(result.structuredContent, { username: 'alice', clientId: clientInfo.client_id })
      assert.ok(oauth.tokens()?.access_token.startsWith('mxcp_at_'))
      assert.ok(oauth.tokens()?.refresh_token?.startsWith('mxcp_rt_'))

      const [authorizationUrl] = oauth.authorizationUrls
      assert.equal(authorizationUrl?.searchParams.get('code_challenge_method'), 'S256')
      assert.equal(authorizationUrl?.searchParams.get('resource'), `${origin}/mcp`)
      assert.deepEqual(
        oauth.lastRedirect?.trace.map(
          (step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`,
        ),
        ['GET /authorize 200', 'POST /consent 200', 'GET /authorize 302', 'GET /github/callback 302'],
      )
      assert.equal(oauth.lastRedirect?.params.get('iss'), origin)
      assert.equal(idp.tokenRequests('authorization_code').length, 1)
    } finally {
      await client.close()
    }
  })

  test('a second connection reuses the stored tokens without a new login', async () => {
    const oauth = new HeadlessOAuthClient()
    const first = await connectWithOAuth(`${origin}/mcp`, oauth)
    await first.close()
    const logins = oauth.authorizationUrls.length
    const second = await connectWithOAuth(`${origin}/mcp`, oauth)
    try {
      const result = await second.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'alice' }])
      assert.equal(oauth.authorizationUrls.length, logins)
    } finally {
      await second.close()
    }
  })

  test('a user who denies consent never reaches the tool', async () => {
    const oauth = new HeadlessOAuthClient({ decision: 'deny' })
    await assert.rejects(connectWithOAuth(`${origin}/mcp`, oauth), /access_denied/)
    assert.equal(oauth.lastRedirect?.params.get('error'), 'access_denied')
  })
})
