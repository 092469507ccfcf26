import { UpstreamResponseError } from '../errors/upstream-error.js'
import { boundedString, boundedStringList, keepProfileClaims } from '../identity/profile-claims.js'
import { verifiedEmail } from '../identity/verified-email.js'
import type { UpstreamUser } from '../provider.js'

export interface OidcUserMapping {
  /** Provider id, for errors. */
  readonly provider: string
  /**
   * Claims tried in order for `username`; `sub` is the last resort and the default. Only a
   * provider that keeps a claim unique and stable may name it (OIDC Core §5.7: `sub` is the only
   * claim that identifies the user; `preferred_username` is neither unique nor fixed, §5.1).
   */
  readonly usernameClaims?: readonly string[] | undefined
  /** The issuer the claims come from (the pair issuer, `sub` is the identity, OIDC Core §5.7). */
  readonly issuer?: string | undefined
}

/**
 * Maps standard OpenID claims (OIDC Core §5.1) to our user: `sub` is the id; the username is the
 * first of `usernameClaims` present, else `sub`; `email` only when `email_verified` says so
 * (`isVerifiedEmail`), so the username may derive from it only then; a `groups` claim of strings
 * (Keycloak group mapper, Okta, Entra ID) becomes the organizations. Only allowlisted claims,
 * each bounded in length, are kept (`keepProfileClaims`); a `sub` or username longer than the
 * bound is refused rather than cut.
 */
export function userFromOidcClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: OidcUserMapping,
): UpstreamUser {
  const { provider } = mapping
  const sub = boundedString(claims['sub'])
  if (!sub)
    throw new UpstreamResponseError(provider, `${provider} user info has no sub (or one over 255 characters)`)
  const usernameClaims = mapping.usernameClaims ?? []
  const email = verifiedEmail(claims['email'], claims['email_verified'])
  const kept = keepProfileClaims(claims, usernameClaims)
  if (email === undefined) delete kept['email']
  let username = sub
  for (const claim of usernameClaims) {
    const value = claim === 'email' ? email : boundedString(kept[claim])
    if (value) {
      username = value
      break
    }
  }
  const given = [boundedString(claims['given_name']), boundedString(claims['family_name'])]
    .filter(Boolean)
    .join(' ')
  return {
    userId: sub,
    username,
    email,
    name: boundedString(claims['name']) ?? (given.length > 0 && given.length <= 255 ? given : undefined),
    organizations: boundedStringList(claims['groups']),
    ...(mapping.issuer === undefined ? {} : { issuer: mapping.issuer }),
    rawProfile: kept,
  }
}
