import * as oauth from 'oauth4webapi'
import {
  isUpstreamError,
  type UpstreamError,
  UpstreamOAuthError,
  UpstreamResponseError,
} from '../errors/upstream-error.js'
import { stringField, throwIfOAuthError } from './http.js'
import { isMissingScope } from './missing-scope.js'

/** Which step of the OpenID flow failed: it decides how an error reads and what it means. */
export type OidcStep = 'discovery' | 'token' | 'id_token' | 'jwks' | 'userinfo' | 'revocation'

const WHERE: Readonly<Record<OidcStep, string>> = {
  discovery: 'discovery document',
  jwks: 'key set',
  token: 'token endpoint',
  id_token: 'ID token',
  userinfo: 'user info endpoint',
  revocation: 'revocation endpoint',
}

/**
 * The one adapter from oauth4webapi's errors to our closed upstream error set
 * (`errors/upstream-error.ts`); `OidcClient` sends every failure of the library through it.
 * An OAuth error from the provider (RFC 6749 §5.2, RFC 6750 §3.1) is `UpstreamOAuthError`; a
 * rejected answer (bad status, not JSON, a rule of OIDC Core §3.1.3.7 broken by the ID token) is
 * `UpstreamResponseError` naming the rule; errors already in the set (timeouts, 5xx, the body
 * cap, from our `customFetch`) pass through. Messages and causes never carry a token, a claim or
 * a body: the library's error is kept only as its code and message.
 */
export async function toUpstreamError(
  provider: string,
  step: OidcStep,
  error: unknown,
): Promise<UpstreamError> {
  if (isUpstreamError(error)) return error
  const cause = { cause: libraryCause(error) }
  if (error instanceof oauth.ResponseBodyError)
    return new UpstreamOAuthError(provider, error.error, error.error_description, cause)
  if (error instanceof oauth.AuthorizationResponseError)
    return new UpstreamOAuthError(provider, error.error, error.error_description, cause)
  if (error instanceof oauth.WWWAuthenticateChallengeError) return challengeError(provider, step, error)
  const fail = (rule: string, status?: number): UpstreamResponseError =>
    new UpstreamResponseError(
      provider,
      step === 'id_token' ? `${provider} ID token rejected: ${rule}` : `${provider} ${rule}`,
      status,
      cause,
    )
  if (error instanceof oauth.UnsupportedOperationError) return fail(unsupported(error, step))
  if (!(error instanceof oauth.OperationProcessingError)) return fail(`${WHERE[step]} could not be processed`)
  const detail = error.cause as { claim?: unknown; attribute?: unknown } | Response | undefined
  switch (error.code) {
    case oauth.RESPONSE_IS_NOT_CONFORM:
      if (detail instanceof Response) return statusError(provider, step, detail)
      return fail(`${WHERE[step]} answered something we cannot use`)
    case oauth.RESPONSE_IS_NOT_JSON:
    case oauth.PARSE_ERROR:
      return step === 'id_token' && !/"response"/.test(error.message)
        ? fail('not a valid JWT')
        : fail(`${WHERE[step]} answered with a body that is not JSON`)
    case oauth.JWT_TIMESTAMP_CHECK:
      return fail(claimOf(detail) === 'exp' ? 'expired' : `${claimOf(detail)} claim is not acceptable`)
    case oauth.JWT_CLAIM_COMPARISON:
      return fail(claimComparison(error.message, claimOf(detail)))
    case oauth.KEY_SELECTION:
      return fail(
        /multiple/.test(error.message)
          ? 'the provider publishes several matching keys and the token names none (kid)'
          : 'signed with a key the provider does not publish',
      )
    case oauth.JSON_ATTRIBUTE_COMPARISON:
      return fail(`${WHERE[step]} ${String(attributeOf(detail))} is not the expected one`)
    case oauth.INVALID_RESPONSE:
      return fail(invalidResponse(error.message, step))
    case oauth.MISSING_SERVER_METADATA:
    case oauth.INVALID_SERVER_METADATA:
      return fail(`discovery document lacks a usable ${String(attributeOf(detail))}`)
    case oauth.HTTP_REQUEST_FORBIDDEN:
    case oauth.REQUEST_PROTOCOL_FORBIDDEN:
      return fail(`${WHERE[step]} must be an https URL (http is accepted on loopback only)`)
    default:
      return fail(`${WHERE[step]} could not be processed`)
  }
}

/** Failures while the library processes a token response are about the ID token unless they are about the response. */
export function idTokenStep(error: unknown): OidcStep {
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    if (/"response"|token_type|access_token|refresh_token|expires_in|scope/.test(error.message))
      return 'token'
    return 'id_token'
  }
  return 'token'
}

/**
 * Throws `UpstreamOAuthError` when a body carries an OAuth `error` (RFC 6749 §5.2), whatever its
 * status or content type: some providers answer errors with HTTP 200 or as `text/plain`, which
 * the library would only see as a malformed answer. Reads a clone; the response stays unread.
 */
export async function throwIfOAuthErrorBody(response: Response, provider: string): Promise<void> {
  const body = await peekJson(response)
  if (body !== undefined) throwIfOAuthError(body, provider)
}

/** The JSON object in a (fully received) response, read from a clone; undefined for anything else. */
export async function peekJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse(await response.clone().text())
    const isRecord = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    return isRecord ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Keeps only the library's code and message: its own cause holds claims, bodies and keys. */
function libraryCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-error thrown by oauth4webapi')
  const code = (error as { code?: unknown }).code
  return new Error(`${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`)
}

/** A `WWW-Authenticate` challenge (RFC 6750 §3): a dead token, or a scope we did not ask for. */
async function challengeError(
  provider: string,
  step: OidcStep,
  error: oauth.WWWAuthenticateChallengeError,
): Promise<UpstreamError> {
  const cause = { cause: libraryCause(error) }
  const body = await error.response
    .clone()
    .text()
    .catch(() => '')
  if (step === 'userinfo' && isMissingScope(error.response, body))
    return new UpstreamResponseError(
      provider,
      `${provider} user info endpoint answered ${error.status} for a missing scope: add it to the provider's configured scope`,
      error.status,
      cause,
    )
  const code = error.cause.map((challenge) => challenge.parameters['error']).find(Boolean)
  const fallback = step === 'userinfo' ? 'invalid_token' : 'invalid_client'
  return new UpstreamOAuthError(provider, code ?? fallback, `${WHERE[step]} answered ${error.status}`, cause)
}

/** An unexpected status, with no OAuth error in the body. */
async function statusError(provider: string, step: OidcStep, response: Response): Promise<UpstreamError> {
  const { status } = response
  if (step === 'userinfo' && (status === 401 || status === 403)) {
    const body = await response
      .clone()
      .text()
      .catch(() => '')
    if (isMissingScope(response, body))
      return new UpstreamResponseError(
        provider,
        `${provider} user info endpoint answered ${status} for a missing scope: add it to the provider's configured scope`,
        status,
      )
    return new UpstreamOAuthError(provider, 'invalid_token', `user info endpoint answered ${status}`)
  }
  return new UpstreamResponseError(provider, `${provider} ${WHERE[step]} answered ${status}`, status)
}

function unsupported(error: oauth.UnsupportedOperationError, step: OidcStep): string {
  if (/token_type/.test(error.message)) {
    const body = (error.cause as { body?: Record<string, unknown> } | undefined)?.body
    const type = body ? stringField(body, 'token_type') : undefined
    return `token response has token_type ${JSON.stringify(type ?? null).slice(0, 40)}, not Bearer`
  }
  if (/alg|algorithm/i.test(error.message)) return 'signature algorithm is not allowed'
  if (/JWE/.test(error.message)) return 'not a valid JWT (encrypted)'
  return `${WHERE[step]} asks for something we do not support`
}

function claimComparison(message: string, claim: unknown): string {
  if (/additional untrusted audiences/.test(message)) return 'several audiences and no azp'
  if (claim === 'azp') return 'azp is another client'
  if (claim === 'nonce') return 'nonce does not match'
  return `${String(claim)} claim is not acceptable`
}

function invalidResponse(message: string, step: OidcStep): string {
  if (/"token_type"/.test(message)) return 'token response has token_type null, not Bearer'
  if (/"access_token"/.test(message)) return 'token response has no access_token'
  if (/signature verification failed/.test(message)) return 'signature does not verify'
  if (/"alg"/.test(message)) return 'signature algorithm is not allowed'
  if (/"keys"/.test(message)) return 'key set has no keys array'
  const missing = /JWT "(\w+)" .* claim missing/.exec(message)
  if (missing) return `${missing[1]} claim is missing`
  const type = /JWT "(\w+)" .* claim type/.exec(message)
  if (type) return `${type[1]} claim has the wrong type`
  if (/Invalid JWT|JWT (Header|Payload)/.test(message)) return 'not a valid JWT'
  if (/"sub"/.test(message)) return `${WHERE[step]} has no sub`
  return `${WHERE[step]} answered something we cannot use`
}

function claimOf(detail: unknown): unknown {
  return typeof detail === 'object' && detail !== null ? (detail as { claim?: unknown }).claim : undefined
}

function attributeOf(detail: unknown): unknown {
  return typeof detail === 'object' && detail !== null
    ? (detail as { attribute?: unknown }).attribute
    : undefined
}
