import { createHash, randomBytes } from 'node:crypto'
import { chooseButton } from '@mxcp/testing/browser/headless-browser'
import { HEADLESS_REDIRECT_URL } from '@mxcp/testing/browser/headless-oauth-client'
import { browseToRedirect } from './plain-browser.js'
import { send } from './plain-http.js'

function jsonObject(text: string): Record<string, unknown> {
  try {
    const body: unknown = JSON.parse(text)
    return typeof body === 'object' && body !== null ? { ...body } : {}
  } catch {
    return {}
  }
}

/** RFC 7591 registration of a new public client; its `client_id`. */
async function register(origin: string): Promise<string> {
  const registration = await send({
    method: 'POST',
    url: new URL(`${origin}/register`),
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      client_name: 'mxcp-bench login',
      redirect_uris: [HEADLESS_REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  })
  const clientId = jsonObject(registration.body)['client_id']
  if (registration.status !== 201 || typeof clientId !== 'string') {
    throw new Error(`/register answered ${registration.status}`)
  }
  return clientId
}

/**
 * One complete login of a new MCP client, every step over HTTP as a client and a browser make
 * it: RFC 7591 registration; `/authorize` with PKCE S256 and `resource` (RFC 8707); our consent
 * page's form submitted with its Approve button and the consent cookie; the hand-over page's
 * refresh to the upstream (the GitHub stand-in), which authorizes at once; our callback
 * exchanging the upstream code and fetching the user; its redirect to the client with our code,
 * the client's `state` and our `iss` (RFC 9207); `/token` with the PKCE verifier. Throws unless
 * every step answers as it should and it ends with a bearer access token.
 */
export async function completeLogin(origin: string): Promise<void> {
  const clientId = await register(origin)
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
  const { params, trace } = await browseToRedirect(authorize, HEADLESS_REDIRECT_URL, (form) =>
    chooseButton(form, 'approve'),
  )
  if (!trace.some((step) => step.method === 'POST' && step.url === `${origin}/consent`)) {
    throw new Error('the login never went through the consent form')
  }
  const code = params.get('code')
  if (code === null || params.get('state') !== state || params.get('iss') === null) {
    throw new Error('the login came back without a code, its state or the issuer')
  }
  const token = await send({
    method: 'POST',
    url: new URL(`${origin}/token`),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: HEADLESS_REDIRECT_URL,
      resource: `${origin}/mcp`,
    }).toString(),
  })
  const tokens = jsonObject(token.body)
  if (
    token.status !== 200 ||
    typeof tokens['access_token'] !== 'string' ||
    String(tokens['token_type']).toLowerCase() !== 'bearer'
  )
    throw new Error(`/token answered ${token.status}`)
}
