import assert from 'node:assert/strict'
import { sha256Base64Url } from '../crypto.js'
import { type UpstreamError, UpstreamOAuthError } from '../errors/upstream-error.js'
import type { AuthorizationUrlParams, UpstreamProvider } from '../provider.js'
import { followBack, type UpstreamCallback, type UpstreamLogin } from './upstream-login.js'

/** Asserts that a promise rejects with an upstream error of `kind` whose message carries none of `secrets`. */
export type RejectsUpstream = (
  promise: Promise<unknown>,
  kind: abstract new (...args: never[]) => UpstreamError,
  secrets?: readonly string[],
) => Promise<void>

/**
 * `RejectsUpstream` for one provider: the error must be of the closed upstream set's `kind`, name
 * `provider`, and keep every secret (tokens, codes, verifiers, client secrets) out of its message.
 */
export function upstreamRejection(provider: string): RejectsUpstream {
  return async (promise, kind, secrets = []) => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`)
      assert.equal(error.provider, provider)
      for (const secret of secrets)
        assert.ok(!error.message.includes(secret), `message leaks a secret: ${error.message}`)
      return true
    })
  }
}

/**
 * Builds `upstream`'s authorization URL for state `st` and challenge `challenge`, and asserts the
 * parameters every authorization code request with PKCE carries (RFC 6749 §4.1.1, RFC 7636 §4.3):
 * our `client_id`, our callback, the state, the challenge and `S256`. Returns the URL for the
 * provider's own checks.
 */
export async function assertAuthorizationRequest(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  clientId: string,
): Promise<URL> {
  const url = await upstream.authorizationUrl({
    state: 'st',
    codeChallenge: 'challenge',
    redirectUri: callback.redirectUri,
  })
  assert.equal(url.searchParams.get('client_id'), clientId)
  assert.equal(url.searchParams.get('redirect_uri'), callback.redirectUri)
  assert.equal(url.searchParams.get('state'), 'st')
  assert.equal(url.searchParams.get('code_challenge'), 'challenge')
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
  return url
}

/**
 * With the user denying consent at the upstream: the browser comes back to our callback with
 * `error=access_denied`, our state, and no code (RFC 6749 §4.1.2.1).
 */
export async function assertConsentDenied(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
): Promise<void> {
  const back = await followBack(upstream, callback, { state: 'st', codeChallenge: 'c' })
  assert.equal(back.searchParams.get('error'), 'access_denied')
  assert.equal(back.searchParams.get('state'), 'st')
  assert.equal(back.searchParams.get('code'), null)
}

/** A stand-in whose user can be made to deny consent, and whose token requests can be counted. */
export interface DenyingStandIn {
  denyConsent: boolean
  requestsTo(endpoint: 'token'): readonly unknown[]
}

/**
 * With the user denying consent at `standIn` (for this one attempt): the browser comes back to
 * our callback with `error=access_denied` and no code (RFC 6749 §4.1.2.1), and nothing reached
 * the token endpoint.
 */
export async function assertDeniedWithoutExchange(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  standIn: DenyingStandIn,
  request: Omit<AuthorizationUrlParams, 'redirectUri'>,
): Promise<void> {
  const exchanges = standIn.requestsTo('token').length
  standIn.denyConsent = true
  try {
    const back = await followBack(upstream, callback, request)
    assert.equal(back.searchParams.get('error'), 'access_denied')
    assert.equal(back.searchParams.get('code'), null)
  } finally {
    standIn.denyConsent = false
  }
  assert.equal(standIn.requestsTo('token').length, exchanges)
}

/**
 * The code of `login`, already exchanged, presented again: `UpstreamOAuthError` with
 * `errorCode`, and neither code nor verifier in the message (RFC 6749 §4.1.2: a code is single use).
 */
export async function assertCodeReplayRefused(
  login: UpstreamLogin,
  callback: UpstreamCallback,
  rejectsUpstream: RejectsUpstream,
  errorCode: string,
): Promise<void> {
  const { upstream, code, verifier } = login
  await rejectsUpstream(upstream.exchangeCode(code, verifier, callback.redirectUri), UpstreamOAuthError, [
    code,
    verifier,
  ])
  await assert.rejects(upstream.exchangeCode(code, verifier, callback.redirectUri), { code: errorCode })
}

/**
 * A code exchanged with a verifier that does not match its challenge: `UpstreamOAuthError` with
 * `errorCode` (RFC 7636 §4.6).
 */
export async function assertWrongVerifierRefused(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  errorCode: string,
): Promise<void> {
  const back = await followBack(upstream, callback, { state: 's', codeChallenge: sha256Base64Url('right') })
  const code = back.searchParams.get('code') ?? ''
  await assert.rejects(upstream.exchangeCode(code, 'wrong', callback.redirectUri), {
    name: 'UpstreamOAuthError',
    code: errorCode,
  })
}

/**
 * A code exchange by `upstream`, configured with the wrong client `secret`: `UpstreamOAuthError`
 * with `errorCode`, and the secret in no message (RFC 6749 §5.2 `invalid_client`, or the
 * provider's own code).
 */
export async function assertWrongSecretRefused(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  rejectsUpstream: RejectsUpstream,
  secret: string,
  errorCode: string,
): Promise<void> {
  await rejectsUpstream(upstream.exchangeCode('c', 'v', callback.redirectUri), UpstreamOAuthError, [secret])
  await assert.rejects(upstream.exchangeCode('c', 'v', callback.redirectUri), { code: errorCode })
}

/**
 * Exchanging `code` with `verifier` is refused: an `UpstreamOAuthError` with `errorCode` whose
 * message carries none of `secrets`.
 */
export async function assertExchangeRefused(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  attempt: { readonly code: string; readonly verifier: string },
  errorCode: string,
  secrets: readonly string[],
): Promise<void> {
  const error = await upstream
    .exchangeCode(attempt.code, attempt.verifier, callback.redirectUri)
    .catch((caught: unknown) => caught)
  assert.ok(error instanceof UpstreamOAuthError)
  assert.equal(error.code, errorCode)
  for (const secret of secrets) assert.ok(!error.message.includes(secret))
}
