import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'

/**
 * One whole login by the real MCP SDK client, as an MCP client does it the first time: discovery
 * (RFC 9728, RFC 8414), registration (RFC 7591), the authorization request with PKCE in a
 * headless browser (consent and upstream pages approved), the token request. Returns the access
 * token. Used once per server, before its load.
 */
export async function logInWithSdkClient(mcpUrl: string, name: string): Promise<string> {
  const client = new HeadlessOAuthClient({ clientName: 'mxcp-bench' })
  const first = await auth(client, { serverUrl: mcpUrl })
  if (first !== 'REDIRECT' || !client.pendingCode)
    throw new Error(`${name}: the login did not start (${first})`)
  const code = await client.pendingCode
  const second = await auth(client, { serverUrl: mcpUrl, authorizationCode: code })
  const token = client.tokens()?.access_token
  if (second !== 'AUTHORIZED' || token === undefined)
    throw new Error(`${name}: the login did not end with a token`)
  return token
}
