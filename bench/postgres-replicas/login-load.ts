import { randomBytes } from 'node:crypto'
import { sha256Base64Url } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { HEADLESS_REDIRECT_URL } from '@mxcp/testing/browser/headless-oauth-client'
import { balancedFetch, type RoundRobin } from './balancer.js'

export interface LoginLoadResult {
  readonly logins: number
  readonly failures: number
  readonly seconds: number
  /** A token from the last login, for the call phase. */
  readonly accessToken: string | undefined
}

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

async function post(url: string, contentType: string, body: string): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body })
  const parsed: unknown = await response.json()
  return { status: response.status, body: typeof parsed === 'object' && parsed !== null ? { ...parsed } : {} }
}

const postJson = (url: string, body: object): Promise<Answer> =>
  post(url, 'application/json', JSON.stringify(body))
const postForm = (url: string, form: Record<string, string>): Promise<Answer> =>
  post(url, 'application/x-www-form-urlencoded', new URLSearchParams(form).toString())

/**
 * One complete login of an MCP client, step by step as the SDK does it: `/authorize` with PKCE S256
 * and `resource`, our consent page approved, the GitHub stand-in, our callback, then `/token`.
 * Every step goes through the balancer. Returns the access token.
 */
async function logIn(base: string, balancer: RoundRobin, clientId: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const authorize = new URL(`${base}/authorize`)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: HEADLESS_REDIRECT_URL,
    code_challenge: sha256Base64Url(verifier),
    code_challenge_method: 'S256',
    state,
    resource: `${base}/mcp`,
  }).toString()
  const browser = new HeadlessBrowser({ fetch: balancedFetch(base, balancer) })
  const { params } = await browser.run(authorize, { stopAt: HEADLESS_REDIRECT_URL })
  const code = params.get('code')
  if (!code || params.get('state') !== state) throw new Error('the login ended without a code')
  const token = await postForm(`${balancer.pick()}/token`, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: HEADLESS_REDIRECT_URL,
    resource: `${base}/mcp`,
  })
  const accessToken = token.body['access_token']
  if (token.status !== 200 || typeof accessToken !== 'string')
    throw new Error(`token endpoint: ${token.status}`)
  return accessToken
}

/** `concurrency` clients, each registered once, logging in again and again for `seconds`. */
export async function runLoginLoad(
  base: string,
  balancer: RoundRobin,
  concurrency: number,
  seconds: number,
): Promise<LoginLoadResult> {
  let logins = 0
  let failures = 0
  let accessToken: string | undefined
  const started = performance.now()
  const deadline = started + seconds * 1000
  const worker = async (index: number): Promise<void> => {
    const registration = await postJson(`${balancer.pick()}/register`, {
      client_name: `bench client ${index}`,
      redirect_uris: [HEADLESS_REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    })
    const clientId = registration.body['client_id']
    if (registration.status !== 201 || typeof clientId !== 'string') throw new Error('registration failed')
    while (performance.now() < deadline) {
      try {
        accessToken = await logIn(base, balancer, clientId)
        logins++
      } catch {
        failures++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)))
  return { logins, failures, seconds: (performance.now() - started) / 1000, accessToken }
}
