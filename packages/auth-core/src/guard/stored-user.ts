import type { UpstreamUser } from '../provider.js'

/**
 * What a session stores about its user: the stable id and the username, which decide nothing
 * secret and let logs and tools name the user after a restart. The profile (name, email,
 * memberships, attributes, the raw profile) is not stored at all: the guard fetches it again from
 * the provider after a restart and holds it in memory for `cache_ttl` (the guide: "cached in
 * memory only (not persisted to disk)").
 */
export function storedUser(user: UpstreamUser): UpstreamUser {
  return { userId: user.userId, username: user.username, rawProfile: {} }
}
