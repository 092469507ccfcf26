import type { UpstreamUser } from '../provider.js'

/** How a provider reduces an id before comparing (see `UpstreamProvider.canonicalId`). */
export type CanonicalId = (id: string) => string

const unchanged: CanonicalId = (id) => id

/** ASCII-only lower case: identifiers never compare under Unicode folding (`ſ` is not `s`). */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** The configured entries, trimmed, empty ones dropped (none when the list is absent). */
export function entries(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((value) => value.trim()).filter(Boolean)
}

/**
 * A `users` entry names this user: exactly the provider's stable id (after `canonicalId`), or the
 * username compared ASCII-case-insensitively. The id is what an operator should write: usernames
 * can change hands (a renamed GitHub login is free for anyone to take).
 */
export function namesUser(entry: string, user: UpstreamUser, canonicalId: CanonicalId = unchanged): boolean {
  if (canonicalId(entry) === canonicalId(user.userId)) return true
  return asciiLower(entry) === asciiLower(user.username)
}

/** The domain of a verified email address, lower-cased (ASCII); undefined without one. */
export function emailDomain(user: UpstreamUser): string | undefined {
  const at = user.email?.lastIndexOf('@') ?? -1
  return at < 0 || !user.email ? undefined : asciiLower(user.email.slice(at + 1))
}

/** An email-domain entry (`example.com` or `@example.com`) matches the user's verified address. */
export function matchesEmailDomain(entry: string, user: UpstreamUser): boolean {
  const domain = emailDomain(user)
  return domain !== undefined && asciiLower(entry.replace(/^@/, '')) === domain
}

/**
 * An organization entry matches one of the user's organizations: GitHub org logins compare
 * ASCII-case-insensitively; ids (Salesforce org ids) after `canonicalId`.
 */
export function inOrganization(
  entry: string,
  user: UpstreamUser,
  canonicalId: CanonicalId = unchanged,
): boolean {
  const wanted = asciiLower(canonicalId(entry))
  return (user.organizations ?? []).some((org) => asciiLower(canonicalId(org)) === wanted)
}

/** A group entry matches exactly (Keycloak group paths such as `/admins` are case-sensitive). */
export function inGroup(entry: string, user: UpstreamUser): boolean {
  return (user.groups ?? []).includes(entry)
}

/** A role entry matches exactly (`admin` realm role, `my-client:editor` client role). */
export function hasRole(entry: string, user: UpstreamUser): boolean {
  return (user.roles ?? []).includes(entry)
}
