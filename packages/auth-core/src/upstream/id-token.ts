import type { IDToken } from 'oauth4webapi'

/**
 * The signature algorithms we accept on an ID token: asymmetric ones only. `none` is refused
 * (OIDC Core §3.1.3.7 rule 7 only allows it when the client registered for it), and so are the
 * HMAC ones, which would use our client secret as the key. oauth4webapi refuses both as well;
 * this list is what we tell it the issuer may use (intersected with what the issuer announces).
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

/**
 * The longest ID token we accept (64 KiB): it is kept (encrypted) with the session, so its size
 * is bounded like every claim; a real one, even with a few hundred groups, is far smaller.
 */
export const MAX_ID_TOKEN_LENGTH = 64 * 1024

/** ID token claims after validation: `sub` is known to be a non-empty string. */
export type IdTokenClaims = IDToken & { readonly sub: string }

/**
 * The algorithms an issuer's ID tokens may use: those it announces
 * (`id_token_signing_alg_values_supported`, OIDC Discovery §3; RS256 when absent) that are in
 * `ID_TOKEN_ALGORITHMS`. Empty when the issuer only announces ones we refuse.
 */
export function acceptedIdTokenAlgorithms(announced: readonly string[] | undefined): string[] {
  const offered = announced && announced.length > 0 ? announced : ['RS256']
  return ID_TOKEN_ALGORITHMS.filter((alg) => offered.includes(alg))
}
