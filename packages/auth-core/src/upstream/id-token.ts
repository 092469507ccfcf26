import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose'
import { isUpstreamError, UpstreamResponseError } from '../errors/upstream-error.js'

/**
 * The signature algorithms we accept on an ID token: asymmetric ones only. `none` is refused
 * (OIDC Core §3.1.3.7 rule 7 only allows it when the client registered for it), and so are the
 * HMAC ones, which would use our client secret as the key.
 */
export const ID_TOKEN_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** Leeway for `exp`, `iat` and `nbf` between their clock and ours, seconds. */
export const DEFAULT_ID_TOKEN_CLOCK_TOLERANCE_S = 60

export interface IdTokenExpectations {
  /** Provider id, for errors. */
  readonly provider: string
  /** The exact `issuer` from the provider's metadata. */
  readonly issuer: string
  /** Our client id: the audience. */
  readonly clientId: string
  /** Algorithms the provider announces; intersected with `ID_TOKEN_ALGORITHMS`. */
  readonly algorithms?: readonly string[] | undefined
  /** The nonce we sent, if we sent one. */
  readonly nonce?: string | undefined
  /** For a refreshed ID token: the `sub` it must keep (OIDC Core §12.2). */
  readonly subject?: string | undefined
  readonly now?: (() => number) | undefined
  readonly clockToleranceS?: number | undefined
}

/** ID token claims after validation: `sub` is known to be a non-empty string. */
export type IdTokenClaims = JWTPayload & { readonly sub: string }

/**
 * Validates an ID token as OIDC Core §3.1.3.7 asks of a client using the code flow: signature
 * against the provider's keys, `iss` exactly the issuer, our client id in `aud` (and in `azp` when
 * there are several audiences or an `azp` at all), `exp` in the future, `iat` present, and the
 * `nonce` we sent. Every failure is an `UpstreamResponseError` naming the rule, never the token.
 */
export async function verifyIdToken(
  idToken: string,
  keys: JWTVerifyGetKey,
  expect: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const { provider } = expect
  const fail = (rule: string, cause?: unknown): UpstreamResponseError =>
    new UpstreamResponseError(provider, `${provider} ID token rejected: ${rule}`, undefined, { cause })
  const announced = expect.algorithms ?? ['RS256']
  const algorithms = ID_TOKEN_ALGORITHMS.filter((alg) => announced.includes(alg))
  if (algorithms.length === 0)
    throw fail(`none of the announced algorithms (${announced.join(', ')}) is accepted`)
  const payload = await jwtVerify(idToken, keys, {
    issuer: expect.issuer,
    audience: expect.clientId,
    algorithms,
    requiredClaims: ['sub', 'iat', 'exp'],
    currentDate: new Date((expect.now ?? Date.now)()),
    clockTolerance: expect.clockToleranceS ?? DEFAULT_ID_TOKEN_CLOCK_TOLERANCE_S,
  }).then(
    (verified) => verified.payload,
    (error: unknown) => {
      throw isUpstreamError(error) ? error : fail(describeJoseError(error), error)
    },
  )
  const sub = payload.sub
  if (typeof sub !== 'string' || sub === '') throw fail('sub is missing')
  // OIDC Core §3.1.3.7 rules 4 and 5: several audiences need an `azp`, and an `azp` must be us.
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (audiences.length > 1 && payload['azp'] === undefined) throw fail('several audiences and no azp')
  if (payload['azp'] !== undefined && payload['azp'] !== expect.clientId) throw fail('azp is another client')
  // OIDC Core §3.1.3.7 rule 11: the nonce must be the one we sent.
  if (expect.nonce !== undefined && payload['nonce'] !== expect.nonce) throw fail('nonce does not match')
  // OIDC Core §12.2: a refreshed ID token is about the same user.
  if (expect.subject !== undefined && sub !== expect.subject)
    throw fail('sub differs from the first ID token')
  return { ...payload, sub }
}

/** A short reason from a jose error, without the token or its claims. */
function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired'
  if (error instanceof errors.JWTClaimValidationFailed) return `${error.claim} claim is not acceptable`
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify'
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm is not allowed'
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed with a key the provider does not publish'
  if (error instanceof errors.JOSEError) return `not a valid JWT (${error.code})`
  return 'could not be verified'
}
