import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import {
  connectWithOAuth,
  type FakeIdp,
  HEADLESS_REDIRECT_URL,
  HeadlessOAuthClient,
  startFakeIdp,
} from '@mxcp/testing'
import { LoopbackHttpsServer } from '@mxcp/testing/tls/loopback-https-server'
import { createTestCertificate } from '@mxcp/testing/tls/test-certificate'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { exportJWK, generateKeyPair } from 'jose'
import { mxcpAuth, requireUser, validateAuthConfig } from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'

/** A stateless MCP endpoint with one tool that names the caller's client (MCP-NOTES B.5). */
async function serveMcp(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const server = new McpServer({ name: 'cimd', version: '1.0.0' })
  const clientId = requireUser(request).clientId
  server.registerTool('whoami', { description: 'The caller and its client' }, async () => ({
    content: [{ type: 'text', text: `${requireUser(request).username} via ${clientId}` }],
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

/** The SDK's OAuth provider with a metadata document URL as client_id (and, optionally, private_key_jwt). */
class DocumentClient extends HeadlessOAuthClient {
  readonly clientMetadataUrl: string
  readonly addClientAuthentication: ReturnType<typeof createPrivateKeyJwtAuth> | undefined
  constructor(url: string, auth?: ReturnType<typeof createPrivateKeyJwtAuth>) {
    super()
    this.clientMetadataUrl = url
    this.addClientAuthentication = auth
  }
}

describe('the real MCP SDK client with a Client ID Metadata Document', () => {
  let idp: FakeIdp
  let app: FastifyInstance
  let documents: LoopbackHttpsServer
  let origin: string
  const served = new Map<string, Record<string, unknown>>()

  before(async () => {
    const certificate = await createTestCertificate()
    documents = await LoopbackHttpsServer.start(certificate, (request, response) => {
      const body = served.get(request.url ?? '')
      if (!body) return void response.writeHead(404).end()
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    })
    idp = await startFakeIdp()
    app = Fastify()
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
        client_metadata: {
          allowed_hosts: ['127.0.0.1'],
          allow_private_hosts: true,
          allowed_ports: [documents.port],
        },
      }),
      provider: fakeIdpProvider(idp),
      clientMetadataCa: certificate.caCert,
    })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.post('/mcp', serveMcp)
      mcp.get('/mcp', async (_request, reply) => reply.code(405).header('allow', 'POST').send())
    })
    origin = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await idp.close()
    await documents.close()
  })

  const documentFor = (clientId: string, extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'SDK document client',
    redirect_uris: [HEADLESS_REDIRECT_URL],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'none',
    ...extra,
  })

  test('a public client (token_endpoint_auth_method none) uses its URL as client_id and never registers', async () => {
    const clientId = `${documents.origin}/public.json`
    served.set('/public.json', documentFor(clientId))
    const oauth = new DocumentClient(clientId)
    const client = await connectWithOAuth(`${origin}/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: `alice via ${clientId}` }])
      assert.equal(oauth.clientInformation()?.client_id, clientId)
    } finally {
      await client.close()
    }
  })

  test('a private_key_jwt client authenticates at /token with the SDK’s own signed assertion', async () => {
    const clientId = `${documents.origin}/keyed.json`
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    served.set(
      '/keyed.json',
      documentFor(clientId, {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] },
      }),
    )
    const oauth = new DocumentClient(
      clientId,
      createPrivateKeyJwtAuth({
        issuer: clientId,
        subject: clientId,
        privateKey: await exportJWK(privateKey),
        alg: 'ES256',
      }),
    )
    const client = await connectWithOAuth(`${origin}/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: `alice via ${clientId}` }])
      assert.ok(oauth.tokens()?.access_token.startsWith('mxcp_at_'))
    } finally {
      await client.close()
    }
  })
})
