import type { UpstreamUser } from '../provider.js'

/**
 * What `get_user_attribute(name)` can read of a user: the top-level claims of the profile that are
 * strings, numbers or booleans (as strings), then the provider's attributes, which win. Nothing
 * nested, nothing secret (the upstream token is never in the profile).
 */
export function userAttributes(user: UpstreamUser): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const [name, value] of Object.entries(user.rawProfile)) {
    if (typeof value === 'string') attributes[name] = value
    else if (typeof value === 'number' || typeof value === 'boolean') attributes[name] = String(value)
  }
  return { ...attributes, ...user.attributes }
}
