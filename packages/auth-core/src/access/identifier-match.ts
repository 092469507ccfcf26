import { comparableDomain, emailDomain, sameName, sameUserId } from '../identity/identifiers.js'
import type { UpstreamUser } from '../provider.js'

/**
 * How the allowlists and the scope grants decide whether a configured entry names a user, on top
 * of the comparison rules of `identity/identifiers.ts` (ids exactly, names in ASCII case only, no
 * Unicode folding).
 */

/** How a provider reduces an id before comparing (see `UpstreamProvider.canonicalId`). */
export type CanonicalId = (id: string) => string

const unchanged: CanonicalId = (id) => id

/** The configured entries, trimmed, empty ones dropped (none when the list is absent). */
export function entries(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((value) => value.trim()).filter(Boolean)
}

/**
 * A `users` entry names this user: the provider's stable id exactly (after `canonicalId`:
 * Salesforce's 15-character ids), or the username ASCII-case-insensitively. The id is what an
 * operator should write: usernames can change hands (a renamed GitHub login is free to take).
 */
export function namesUser(entry: string, user: UpstreamUser, canonicalId: CanonicalId = unchanged): boolean {
  return sameUserId(canonicalId(entry), canonicalId(user.userId)) || sameName(entry, user.username)
}

/** The comparable domain of the user's verified email; undefined without one. */
export function userEmailDomain(user: UpstreamUser): string | undefined {
  return user.email === undefined ? undefined : emailDomain(user.email)
}

/** An email-domain entry (`example.com` or `@example.com`) matches the user's verified address. */
export function matchesEmailDomain(entry: string, user: UpstreamUser): boolean {
  const domain = userEmailDomain(user)
  return domain !== undefined && comparableDomain(entry) === domain
}

/**
 * An organization entry matches one of the user's organizations: GitHub org logins in ASCII case;
 * ids (Salesforce org ids) after `canonicalId`.
 */
export function inOrganization(
  entry: string,
  user: UpstreamUser,
  canonicalId: CanonicalId = unchanged,
): boolean {
  return (user.organizations ?? []).some((org) => sameName(canonicalId(org), canonicalId(entry)))
}

/** A group entry matches exactly (Keycloak group paths such as `/admins` are case-sensitive). */
export function inGroup(entry: string, user: UpstreamUser): boolean {
  return (user.groups ?? []).includes(entry)
}

/** A role entry matches exactly (`admin` realm role, `my-client:editor` client role). */
export function hasRole(entry: string, user: UpstreamUser): boolean {
  return (user.roles ?? []).includes(entry)
}
