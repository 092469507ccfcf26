import { createHash, randomBytes } from 'node:crypto'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { HEADLESS_REDIRECT_URL } from '@mxcp/testing/browser/headless-oauth-client'

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const body: unknown = await response.json()
  return typeof body === 'object' && body !== null ? { ...body } : {}
}

/**
 * One complete login of a new MCP client, every step over HTTP as a client and a browser make
 * it: RFC 7591 registration; `/authorize` with PKCE S256 and `resource` (RFC 8707); our consent
 * page approved; the upstream (the GitHub stand-in) authorizing at once; our callback exchanging
 * the upstream code and fetching the user; the redirect with our code; `/token`. Throws unless it
 * ends with an access token.
 */
export async function completeLogin(origin: string): Promise<void> {
  const registration = await fetch(`${origin}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'mxcp-bench login',
      redirect_uris: [HEADLESS_REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  })
  const clientId = (await readJson(registration))['client_id']
  if (registration.status !== 201 || typeof clientId !== 'string') {
    throw new Error(`/register answered ${registration.status}`)
  }
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const authorize = new URL(`${origin}/authorize`)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: HEADLESS_REDIRECT_URL,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    resource: `${origin}/mcp`,
  }).toString()
  const { params } = await new HeadlessBrowser().run(authorize, { stopAt: HEADLESS_REDIRECT_URL })
  const code = params.get('code')
  if (code === null || params.get('state') !== state) throw new Error('the login came back without a code')
  const token = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: HEADLESS_REDIRECT_URL,
      resource: `${origin}/mcp`,
    }).toString(),
  })
  const accessToken = (await readJson(token))['access_token']
  if (token.status !== 200 || typeof accessToken !== 'string')
    throw new Error(`/token answered ${token.status}`)
}
