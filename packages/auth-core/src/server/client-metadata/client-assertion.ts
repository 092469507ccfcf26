import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  jwtVerify,
} from 'jose'
import { InvalidClientError, TemporarilyUnavailableError } from '../../errors/oauth-error.js'
import type { AssertionReplayGuard } from './assertion-replay.js'
import type { MetadataClient } from './metadata-client.js'

/** RFC 7523 §2.2: the client assertion type of `private_key_jwt`. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Asymmetric algorithms only: a metadata document cannot share a secret (no `HS*`, never `none`). */
export const ASSERTION_ALGORITHMS = [
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
]

/** Longest accepted assertion lifetime from now (the SDK signs for 5 minutes); bounds the replay memory. */
export const MAX_ASSERTION_LIFETIME_S = 10 * 60

/** Clock skew tolerated on `exp`, `nbf` and `iat`, seconds. */
export const ASSERTION_CLOCK_TOLERANCE_S = 30

/** One assertion to verify, with everything it is checked against. */
export interface AssertionCheck {
  readonly client: MetadataClient
  readonly assertion: string
  /** Acceptable `aud` values: our issuer, our token endpoint and the endpoint called (RFC 7523 §3 item 3). */
  readonly audiences: readonly string[]
  readonly now: number
  /** The client's keys: inline `jwks`, or `jwks_uri` fetched and cached by the caller. */
  readonly keySet: () => Promise<JSONWebKeySet>
  readonly replays: AssertionReplayGuard
}

/** Why jose refused the assertion, in words for the client (never the assertion itself). */
function describeFailure(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'The client assertion has expired'
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'The client assertion signature does not verify with the keys of the client metadata document'
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return 'No key of the client metadata document matches the client assertion'
  if (error instanceof errors.JWTClaimValidationFailed)
    return `The client assertion's ${error.claim} claim is not acceptable`
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'The client assertion is not signed with an asymmetric algorithm'
  if (error instanceof errors.JOSEError) return 'The client assertion is not a valid signed JWT'
  return undefined
}

/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523 §3, OpenID Connect Core §9) with jose:
 * signed by a key of the client's document with an asymmetric algorithm; `iss` = `sub` = the
 * client_id; `aud` one of ours; `exp` present, not passed and not too far ahead; `jti` present
 * and never seen before. Throws `invalid_client` (RFC 7521 §4.2.1) with the reason.
 */
export async function verifyClientAssertion(check: AssertionCheck): Promise<void> {
  const { client } = check
  const clientId = client.record.clientId
  let keys: ReturnType<typeof createLocalJWKSet>
  try {
    keys = createLocalJWKSet(await check.keySet())
  } catch (error) {
    if (error instanceof InvalidClientError) throw error
    throw new InvalidClientError('The keys of the client metadata document are not usable', undefined, {
      cause: error,
    })
  }
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
  try {
    ;({ payload } = await jwtVerify(
      check.assertion,
      (header: JWSHeaderParameters, token: FlattenedJWSInput) => keys(header, token),
      {
        issuer: clientId,
        subject: clientId,
        audience: [...check.audiences],
        algorithms: ASSERTION_ALGORITHMS,
        currentDate: new Date(check.now),
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'jti'],
      },
    ))
  } catch (error) {
    const reason = describeFailure(error)
    if (reason === undefined) throw error
    throw new InvalidClientError(reason, `client assertion refused for ${clientId}`)
  }
  const { exp, jti } = payload
  if (typeof jti !== 'string' || jti === '' || jti.length > 256)
    throw new InvalidClientError('The client assertion has no usable jti claim')
  if (typeof exp !== 'number' || exp * 1000 > check.now + MAX_ASSERTION_LIFETIME_S * 1000)
    throw new InvalidClientError(
      `The client assertion must expire within ${MAX_ASSERTION_LIFETIME_S} seconds`,
    )
  let fresh: boolean
  try {
    fresh = await check.replays.use(clientId, jti, (exp + ASSERTION_CLOCK_TOLERANCE_S) * 1000, check.now)
  } catch (error) {
    throw new TemporarilyUnavailableError(
      'Too many client assertions at once; try again shortly',
      undefined,
      {
        cause: error,
      },
    )
  }
  if (!fresh) throw new InvalidClientError('The client assertion was already used (its jti is single use)')
}
