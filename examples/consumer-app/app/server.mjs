// A user's own Fastify app, built only from the published packages (installed from their
// tarballs, outside the workspace): the MXCP plugin under a prefix with the memory store and the
// GitHub provider, again under another prefix with a provider of the user's own (GitLab, from
// examples/custom-provider), a guarded MCP endpoint for each, and the app's own routes, which the
// plugin leaves alone. The test starts it with the stand-ins' URLs in the environment; it prints
// its URL.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { MemoryStore, mxcpAuth, ProviderRegistry, requireUser, validateAuthConfig } from '@mxcp/auth-core'
import { gitlab } from '@mxcp/example-custom-provider'
import { github } from '@mxcp/provider-github'
import Fastify from 'fastify'

/** @param {string} name */
function env(name) {
  const value = process.env[name]
  if (!value) throw new Error(`set ${name}`)
  return value
}

/**
 * Stateless streamable HTTP: one MCP server per request, with a `whoami` tool.
 * @param {import('fastify').FastifyRequest} request
 * @param {import('fastify').FastifyReply} reply
 */
async function serveMcp(request, reply) {
  const user = requireUser(request)
  const server = new McpServer({ name: 'consumer-app', version: '1.0.0' })
  server.registerTool('whoami', { description: 'Who is calling' }, async () => ({
    content: [{ type: 'text', text: `${user.username} via ${user.provider}` }],
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
 * One provider: the plugin in its own scope, under `prefix`, guarding the MCP route at `mcpPath`,
 * next to an unguarded form route of the app's own in the same scope.
 * @param {import('fastify').FastifyInstance} app
 * @param {{ prefix: string, mcpPath: string } & Pick<import('@mxcp/auth-core').MxcpAuthOptions, 'auth' | 'provider' | 'providers' | 'store'>} options
 */
async function registerProvider(app, { prefix, mcpPath, ...options }) {
  await app.register(async (scope) => {
    await scope.register(mxcpAuth, { ...options, prefix, mcpPath })
    scope.post(mcpPath, { onRequest: scope.mxcpGuard }, serveMcp)
    scope.post(`${mcpPath}-notes`, async (request) => ({ body: request.body ?? null }))
    scope.get(`${mcpPath}-open`, async (request) => ({ user: request.user }))
  })
}

const app = Fastify()

// The app's own route: no form parser, no cookies (the app registered neither).
app.post('/feedback', async (request) => ({
  body: request.body ?? null,
  cookies: 'cookies' in request ? request.cookies : null,
}))

const githubAuth = validateAuthConfig({
  provider: 'github',
  github: {
    client_id: env('GITHUB_CLIENT_ID'),
    client_secret: env('GITHUB_CLIENT_SECRET'),
    auth_url: `${env('GITHUB_URL')}/login/oauth/authorize`,
    token_url: `${env('GITHUB_URL')}/login/oauth/access_token`,
    api_url: env('GITHUB_API_URL'),
    scope: 'user:email read:org',
  },
})
await registerProvider(app, {
  prefix: '/oauth',
  mcpPath: '/mcp',
  auth: githubAuth,
  provider: github(githubAuth.github ?? {}),
  store: new MemoryStore(),
})

// A provider of the app's own: the plugin checks `auth.gitlab` with the provider's schema and
// builds it with its clock, fetch and logger.
const gitlabProviders = new ProviderRegistry([gitlab])
const gitlabAuth = validateAuthConfig(
  {
    provider: 'gitlab',
    gitlab: {
      client_id: env('GITLAB_CLIENT_ID'),
      client_secret: env('GITLAB_CLIENT_SECRET'),
      base_url: env('GITLAB_URL'),
    },
  },
  'auth',
  'consumer app',
  gitlabProviders,
)
await registerProvider(app, {
  prefix: '/gitlab/oauth',
  mcpPath: '/gitlab/mcp',
  auth: gitlabAuth,
  providers: gitlabProviders,
  store: new MemoryStore(),
})

const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`listening ${url}\n`)
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) process.on(signal, () => void app.close())
