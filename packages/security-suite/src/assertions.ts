import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import type { AttackHarness } from './attack-harness.js'

/** An RFC 6749 §5.2 (or RFC 7591 §3.2.2) JSON error with this status and error code. */
export function assertOAuthError(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, `expected ${status} ${code}, got ${response.body}`)
  assert.match(String(response.headers['content-type']), /^application\/json/)
  const body = response.json<Record<string, unknown>>()
  assert.equal(body['error'], code)
  assert.equal(typeof body['error_description'], 'string')
}

/** An HTML error page (never a redirect): the browser stays with us (RFC 6749 §4.1.2.1). */
export function assertErrorPage(response: LightMyRequestResponse, status: number, text?: RegExp): void {
  assert.equal(response.statusCode, status, `expected an error page ${status}, got ${response.body}`)
  assert.equal(response.headers.location, undefined, 'an error page is not a redirect')
  assert.match(String(response.headers['content-type']), /^text\/html/)
  assert.doesNotMatch(response.body, /http-equiv="refresh"/i, 'an error page does not send the browser on')
  if (text) assert.match(response.body, text)
}

/**
 * A 302 back to the client's redirect URI with an OAuth error, the client's `state` and our
 * `iss` (RFC 6749 §4.1.2.1, RFC 9207 §2). Returns the redirect URL.
 */
export function assertRedirectError(
  response: LightMyRequestResponse,
  expected: {
    readonly redirectUri: string
    readonly error: string
    readonly state?: string
    readonly issuer: string
  },
): URL {
  assert.equal(response.statusCode, 302, `expected a redirect with ${expected.error}, got ${response.body}`)
  const location = new URL(String(response.headers.location))
  assert.equal(`${location.origin}${location.pathname}`, expected.redirectUri)
  assert.equal(location.searchParams.get('error'), expected.error)
  assert.equal(location.searchParams.get('code'), null, 'an error carries no code')
  if (expected.state !== undefined) assert.equal(location.searchParams.get('state'), expected.state)
  assert.equal(location.searchParams.get('iss'), expected.issuer)
  return location
}

/** Nothing was written to the store (no client, transaction, code, token or session). */
export function assertNothingIssued(h: AttackHarness): void {
  assert.deepEqual(h.store.issued(), [], 'nothing was issued or stored')
}

/** No request reached the identity provider. */
export function assertNoUpstreamCall(h: AttackHarness): void {
  assert.deepEqual(
    h.standIn.requests.map((request) => request.endpoint),
    [],
    'nothing went to the identity provider',
  )
}

/** The bearer challenge of a 401/403 from the guard (RFC 6750 §3). */
export function assertBearerChallenge(
  response: LightMyRequestResponse,
  status: 401 | 403,
  error: string | undefined,
): string {
  assert.equal(response.statusCode, status, response.body)
  const challenge = String(response.headers['www-authenticate'] ?? '')
  assert.match(challenge, /^Bearer /)
  assert.match(challenge, /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/)
  if (error === undefined) assert.doesNotMatch(challenge, /error=/)
  else assert.match(challenge, new RegExp(`error="${error}"`))
  return challenge
}
