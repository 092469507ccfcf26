/**
 * The claims of an identity we keep (in the session, the user context, and logs): the subject,
 * names, the email and its verification flag, groups and roles, plus the claims a configuration
 * names (`username_claim`). Everything else a provider sends (addresses, pictures, custom claims
 * of any size) is dropped on arrival, so a hostile provider cannot grow our database or our logs.
 */
export const PROFILE_CLAIMS: readonly string[] = [
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'email',
  'email_verified',
  'groups',
  'roles',
]

/** OIDC Core §2: `sub` "MUST NOT exceed 255 ASCII characters"; we hold every kept string to that. */
export const MAX_CLAIM_LENGTH = 255
/** Entries kept of a list claim (`groups`, `roles`). */
export const MAX_CLAIM_LIST_ENTRIES = 200

/** A string claim within the length bound, else undefined. */
export function boundedString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_CLAIM_LENGTH ? value : undefined
}

/** The strings of a list claim, each within the bound, at most `MAX_CLAIM_LIST_ENTRIES`; else undefined. */
export function boundedStringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value
    .map(boundedString)
    .filter((entry) => entry !== undefined)
    .slice(0, MAX_CLAIM_LIST_ENTRIES)
}

/**
 * The allowlisted claims of `claims` (`PROFILE_CLAIMS` plus `extra`), each bounded: strings up to
 * `MAX_CLAIM_LENGTH` characters (a longer one is dropped, never cut: a cut email would name
 * another domain), booleans, finite numbers, lists of such strings. Other shapes are dropped.
 */
export function keepProfileClaims(
  claims: Readonly<Record<string, unknown>>,
  extra: readonly string[] = [],
): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const claim of new Set([...PROFILE_CLAIMS, ...extra])) {
    if (!Object.hasOwn(claims, claim)) continue
    const value = claims[claim]
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
      kept[claim] = value
    else if (typeof value === 'string') {
      const bounded = boundedString(value)
      if (bounded !== undefined) kept[claim] = bounded
    } else if (Array.isArray(value)) kept[claim] = boundedStringList(value)
  }
  return kept
}
