import {
  type UpstreamError,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
} from '../../errors/upstream-error.js'
import type { SignInStep } from '../../events/auth-events.js'

/**
 * What kind of problem stopped a sign-in, in the terms an operator fixes it by:
 * - `credentials`: the provider refused our OAuth client (id or secret);
 * - `callback_url`: the provider refused our callback URL (not registered, wrong scheme or host);
 * - `scopes`: the provider refused the scopes we ask for;
 * - `not_allowed`: the user is not on the allowlist;
 * - `denied`: the user (or the provider on their behalf) declined: nothing to fix on the server;
 * - `unavailable`: the provider could not be reached or answered 5xx;
 * - `provider_error`: any other refusal or an answer we cannot use.
 */
export type SignInProblem =
  | 'credentials'
  | 'callback_url'
  | 'scopes'
  | 'not_allowed'
  | 'denied'
  | 'unavailable'
  | 'provider_error'

/** One failed sign-in, as logged at warn and audited. Never holds a token, code or secret. */
export interface SignInFailure {
  readonly step: SignInStep
  readonly problem: SignInProblem
  /** The provider's OAuth error code (`incorrect_client_credentials`, `invalid_client`, …). */
  readonly providerError?: string | undefined
  /** The provider's `error_description`, cut short (it is the provider's text, not ours). */
  readonly providerDescription?: string | undefined
  /** Our own words for the log (an upstream error message: no query string, no secret). */
  readonly detail?: string | undefined
}

/** The problems only the server's operator can fix: the user gets a page naming it, not a redirect. */
export const OPERATOR_PROBLEMS: ReadonlySet<SignInProblem> = new Set([
  'credentials',
  'callback_url',
  'scopes',
])

/** Error codes by which providers refuse our client (GitHub, Salesforce and RFC 6749 §5.2 wording). */
const CREDENTIAL_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'incorrect_client_credentials',
  'invalid_client_id',
  'invalid_client_secret',
])
const CALLBACK_ERRORS = new Set(['redirect_uri_mismatch', 'invalid_redirect_uri'])
const SCOPE_ERRORS = new Set(['invalid_scope', 'insufficient_scope'])

const MAX_DESCRIPTION = 300

function cut(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.slice(0, MAX_DESCRIPTION)
}

function problemOfCode(code: string, step: SignInStep): SignInProblem {
  if (CREDENTIAL_ERRORS.has(code)) return 'credentials'
  if (CALLBACK_ERRORS.has(code)) return 'callback_url'
  if (SCOPE_ERRORS.has(code)) return 'scopes'
  // At the token endpoint the user has already approved: an `access_denied` there (Atlassian's
  // answer to a wrong client secret) refuses our client, not the user.
  if (code === 'access_denied') return step === 'code exchange' ? 'credentials' : 'denied'
  return 'provider_error'
}

/** An `error` the provider sent back to our callback (RFC 6749 §4.1.2.1). */
export function callbackErrorFailure(code: string, description: string | undefined): SignInFailure {
  return {
    step: 'callback',
    problem: problemOfCode(code, 'callback'),
    providerError: code.slice(0, 64),
    providerDescription: cut(description),
  }
}

/** An upstream failure at the code exchange or the user info step. */
export function upstreamFailure(step: 'code exchange' | 'user info', error: UpstreamError): SignInFailure {
  if (error instanceof UpstreamOAuthError) {
    return {
      step,
      problem: problemOfCode(error.code, step),
      providerError: error.code,
      providerDescription: cut(error.upstreamDescription),
      detail: error.message,
    }
  }
  if (error instanceof UpstreamUnavailableError)
    return { step, problem: 'unavailable', detail: error.message }
  // A token endpoint answering 401 without an OAuth error body refuses our client all the same.
  const refusedClient =
    step === 'code exchange' && error instanceof UpstreamResponseError && error.status === 401
  return { step, problem: refusedClient ? 'credentials' : 'provider_error', detail: error.message }
}
