/**
 * fastmcp (the TypeScript MCP framework) serving the same `greet` tool, stateless streamable HTTP
 * on `/mcp`, as a process of its own. With `FASTMCP_AUTH=proxy`, behind fastmcp's own OAuth proxy
 * (its generic `OAuthProvider`, i.e. its `OAuthProxy` with token swap: it issues its own JWTs)
 * pointed at the GitHub stand-in on loopback; with `none`, open. Serves until SIGTERM.
 *
 * Environment: PORT, FASTMCP_AUTH (proxy | none), and for the proxy GITHUB_URL,
 * GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET.
 */
import { FastMCP, jsonSchemaAdapter } from 'fastmcp'
import { OAuthProvider } from 'fastmcp/auth'

function env(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}

const port = Number(env('PORT'))
const baseUrl = `http://127.0.0.1:${port}`
const auth =
  env('FASTMCP_AUTH') === 'proxy'
    ? new OAuthProvider({
        baseUrl,
        clientId: env('GITHUB_CLIENT_ID'),
        clientSecret: env('GITHUB_CLIENT_SECRET'),
        // GitHub's endpoints, served by the stand-in: fastmcp's GitHubProvider hard-codes
        // github.com, its generic provider takes them as options.
        authorizationEndpoint: `${env('GITHUB_URL')}/login/oauth/authorize`,
        tokenEndpoint: `${env('GITHUB_URL')}/login/oauth/access_token`,
        tokenEndpointAuthMethod: 'client_secret_post',
        scopes: ['user:email'],
        allowedRedirectUriPatterns: ['http://127.0.0.1:*', 'http://localhost:*'],
        consentRequired: true,
      })
    : undefined

const server = new FastMCP({ name: 'fastmcp-bench', version: '1.0.0', ...(auth && { auth }) })
server.addTool({
  name: 'greet',
  description: 'A simple greeting tool',
  parameters: jsonSchemaAdapter({
    type: 'object',
    properties: { name: { type: 'string', description: 'Name to greet' } },
    required: ['name'],
  }),
  // A JSON Schema adapter validates but does not type the arguments: read `name` from them.
  execute: async (args) => {
    const name = typeof args === 'object' && args !== null && 'name' in args ? String(args.name) : ''
    return `Hello, ${name}!`
  },
})
await server.start({
  transportType: 'httpStream',
  httpStream: { port, host: '127.0.0.1', endpoint: '/mcp', stateless: true },
})
process.once('SIGTERM', () => {
  void server.stop().finally(() => process.exit(0))
})
