import { createHash, randomBytes } from 'node:crypto'
import { HeadlessBrowser } from './headless-browser.js'
import { HEADLESS_REDIRECT_URL } from './headless-oauth-client.js'

/** RFC 7636 §4.2 S256 challenge of a verifier. */
function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/**
 * The steps of an MCP client's login done one by one (RFC 7591 registration, authorization with
 * PKCE S256 and RFC 8707 `resource`, the token endpoint), so a test can send each step to the
 * replica it chooses and race two replicas on one code or one refresh token.
 */

export interface RegisteredClient {
  readonly clientId: string
}

export interface TokenAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** Registers a public client (`token_endpoint_auth_method: none`) at `base`. */
export async function registerClient(base: string): Promise<RegisteredClient> {
  const response = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'race client',
      redirect_uris: [HEADLESS_REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }),
  })
  const body: unknown = await response.json()
  if (response.status !== 201 || typeof body !== 'object' || body === null || !('client_id' in body)) {
    throw new Error(`registration failed: ${response.status} ${JSON.stringify(body)}`)
  }
  return { clientId: String(body.client_id) }
}

/** Logs the stand-in's user in through `base` (consent approved) and returns our code with its verifier. */
export async function authorizationCode(
  base: string,
  client: RegisteredClient,
  resource: string,
): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const url = new URL(`${base}/authorize`)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: HEADLESS_REDIRECT_URL,
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
    state,
    resource,
  }).toString()
  const result = await new HeadlessBrowser().run(url, { stopAt: HEADLESS_REDIRECT_URL })
  const code = result.params.get('code')
  if (!code || result.params.get('state') !== state) {
    throw new Error(`no code: ${result.params.toString()}`)
  }
  return { code, verifier }
}

/** POSTs a form to `${origin}/token`. */
export async function tokenRequest(origin: string, params: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  })
  const body: unknown = await response.json()
  return { status: response.status, body: typeof body === 'object' && body !== null ? { ...body } : {} }
}

/** The authorization-code grant for `code`. */
export function redeemCode(
  origin: string,
  client: RegisteredClient,
  resource: string,
  login: { code: string; verifier: string },
): Promise<TokenAnswer> {
  return tokenRequest(origin, {
    grant_type: 'authorization_code',
    client_id: client.clientId,
    code: login.code,
    code_verifier: login.verifier,
    redirect_uri: HEADLESS_REDIRECT_URL,
    resource,
  })
}

/** The refresh-token grant. */
export function refreshTokens(
  origin: string,
  client: RegisteredClient,
  resource: string,
  refreshToken: string,
): Promise<TokenAnswer> {
  return tokenRequest(origin, {
    grant_type: 'refresh_token',
    client_id: client.clientId,
    refresh_token: refreshToken,
    resource,
  })
}

/** One `tools/call` posted straight to `/mcp` with a bearer token (stateless streamable HTTP). */
export async function callTool(
  origin: string,
  accessToken: string,
  name: string,
): Promise<{ status: number; body: string; challenge: string | null }> {
  const response = await fetch(`${origin}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
  })
  return {
    status: response.status,
    body: await response.text(),
    challenge: response.headers.get('www-authenticate'),
  }
}

/** A string field of a JSON body, or a thrown error naming it. */
export function field(body: Record<string, unknown>, name: string): string {
  const value = body[name]
  if (typeof value !== 'string') throw new Error(`no ${name} in ${JSON.stringify(Object.keys(body))}`)
  return value
}
