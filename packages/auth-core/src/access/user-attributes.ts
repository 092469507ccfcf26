import type { UpstreamUser } from '../provider.js'

/**
 * What `get_user_attribute(name)` can read of a user: the top-level claims of the profile that are
 * strings, numbers or booleans (as strings), then the provider's attributes, which win. Nothing
 * nested, nothing secret (the upstream token is never in the profile), and `email` only when
 * verified.
 */
export function userAttributes(user: UpstreamUser): Record<string, string> {
  const attributes: Record<string, string> = {}
  for (const [name, value] of Object.entries(user.rawProfile)) {
    if (typeof value === 'string') attributes[name] = value
    else if (typeof value === 'number' || typeof value === 'boolean') attributes[name] = String(value)
  }
  // An address the provider did not verify is no more readable here than in get_user_email().
  if (user.email === undefined) delete attributes['email']
  else attributes['email'] = user.email
  return { ...attributes, ...user.attributes }
}
