import { UpstreamResponseError } from '../errors/upstream-error.js'
import type { UpstreamUser } from '../provider.js'
import { stringField } from './http.js'

export interface OidcUserMapping {
  /** Provider id, for errors. */
  readonly provider: string
  /**
   * Claims tried in order for `username`; `sub` is always the last resort. Default
   * `preferred_username`, then `email`.
   */
  readonly usernameClaims?: readonly string[] | undefined
}

/**
 * Maps standard OpenID claims (OIDC Core §5.1) to our user: `sub` is the stable id (§5.7: the only
 * claim that identifies the user); `email` is kept only when the provider did not say it is
 * unverified (`email_verified: false`), because the username may be derived from it and SQL
 * policies may trust it; a `groups` claim of strings (Keycloak group mapper, Okta, Entra ID)
 * becomes the organizations.
 */
export function userFromOidcClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: OidcUserMapping,
): UpstreamUser {
  const sub = stringField(claims, 'sub')
  if (!sub) throw new UpstreamResponseError(mapping.provider, `${mapping.provider} user info has no sub`)
  const email = claims['email_verified'] === false ? undefined : stringField(claims, 'email')
  const verified: Record<string, unknown> = { ...claims, email }
  let username = sub
  for (const claim of mapping.usernameClaims ?? ['preferred_username', 'email']) {
    const value = stringField(verified, claim)
    if (value) {
      username = value
      break
    }
  }
  const given = [stringField(claims, 'given_name'), stringField(claims, 'family_name')]
    .filter(Boolean)
    .join(' ')
  const groups = claims['groups']
  return {
    userId: sub,
    username,
    email,
    name: stringField(claims, 'name') ?? (given || undefined),
    organizations: Array.isArray(groups)
      ? groups.filter((group): group is string => typeof group === 'string')
      : undefined,
    rawProfile: { ...claims },
  }
}
