import type { UpstreamProvider } from '../provider.js'
import {
  assertAuthorizationRequest,
  assertCodeReplayRefused,
  assertConsentDenied,
  assertDeniedWithoutExchange,
  assertExchangeRefused,
  assertWrongSecretRefused,
  assertWrongVerifierRefused,
  type DenyingStandIn,
  type RejectsUpstream,
  upstreamRejection,
} from './upstream-checks.js'
import { followBack, loginAt, type UpstreamCallback, type UpstreamLogin } from './upstream-login.js'

/** Options of `upstreamTestKit`: the provider under test, our callback, and the user. */
export interface UpstreamTestKitOptions extends UpstreamCallback {
  /** The provider id its errors carry (`github`, …). */
  readonly provider: string
}

/**
 * The steps and checks a provider package's unit tests run against its stand-in, bound to one
 * provider and callback (see `upstream-login.ts` and `upstream-checks.ts` for each).
 */
export interface UpstreamTestKit {
  /** The browser part of a login and the code exchange (`loginAt`). */
  login(upstream: UpstreamProvider): Promise<UpstreamLogin>
  /** Where the upstream sends the user back to for this authorization request (`followBack`). */
  followBack(upstream: UpstreamProvider, request: { state: string; codeChallenge: string }): Promise<URL>
  /** The closed upstream error set, with this provider's id and no secret in the message. */
  readonly rejectsUpstream: RejectsUpstream
  /** The parameters every authorization request with PKCE carries; returns the URL. */
  assertAuthorizationRequest(upstream: UpstreamProvider, clientId: string): Promise<URL>
  /** Denied consent: `access_denied`, our state, no code. */
  assertConsentDenied(upstream: UpstreamProvider): Promise<void>
  /** Denied consent at `standIn`: `access_denied`, no code, no token request. */
  assertDeniedWithoutExchange(
    upstream: UpstreamProvider,
    standIn: DenyingStandIn,
    request: { state: string; codeChallenge: string },
  ): Promise<void>
  /** A code presented twice is refused with `errorCode`. */
  assertCodeReplayRefused(login: UpstreamLogin, errorCode: string): Promise<void>
  /** A PKCE verifier that does not match is refused with `errorCode`. */
  assertWrongVerifierRefused(upstream: UpstreamProvider, errorCode: string): Promise<void>
  /** A wrong client secret is refused with `errorCode`, the secret in no message. */
  assertWrongSecretRefused(upstream: UpstreamProvider, secret: string, errorCode: string): Promise<void>
  /** This code exchange is refused with `errorCode`, none of `secrets` in the message. */
  assertExchangeRefused(
    upstream: UpstreamProvider,
    attempt: { readonly code: string; readonly verifier: string },
    errorCode: string,
    secrets: readonly string[],
  ): Promise<void>
}

/** The unit-test kit of one provider package. */
export function upstreamTestKit(options: UpstreamTestKitOptions): UpstreamTestKit {
  const callback: UpstreamCallback = { redirectUri: options.redirectUri, follow: options.follow }
  const rejectsUpstream = upstreamRejection(options.provider)
  return {
    login: (upstream) => loginAt(upstream, callback),
    followBack: (upstream, request) => followBack(upstream, callback, request),
    rejectsUpstream,
    assertAuthorizationRequest: (upstream, clientId) =>
      assertAuthorizationRequest(upstream, callback, clientId),
    assertConsentDenied: (upstream) => assertConsentDenied(upstream, callback),
    assertDeniedWithoutExchange: (upstream, standIn, request) =>
      assertDeniedWithoutExchange(upstream, callback, standIn, request),
    assertCodeReplayRefused: (login, errorCode) =>
      assertCodeReplayRefused(login, callback, rejectsUpstream, errorCode),
    assertWrongVerifierRefused: (upstream, errorCode) =>
      assertWrongVerifierRefused(upstream, callback, errorCode),
    assertWrongSecretRefused: (upstream, secret, errorCode) =>
      assertWrongSecretRefused(upstream, callback, rejectsUpstream, secret, errorCode),
    assertExchangeRefused: (upstream, attempt, errorCode, secrets) =>
      assertExchangeRefused(upstream, callback, attempt, errorCode, secrets),
  }
}
