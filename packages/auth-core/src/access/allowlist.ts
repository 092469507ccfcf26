import type { AuthConfig } from '../config/index.js'
import type { UpstreamUser } from '../provider.js'

const lower = (values: readonly string[]): string[] =>
  values.map((value) => value.trim().toLowerCase()).filter(Boolean)

/**
 * Why `user` may not sign in under `auth.authorization`'s allowlists, or undefined when they may.
 * Every list that is not empty must be satisfied (they combine with AND): `allowed_users` by the
 * provider username, `allowed_email_domains` by the email's domain, `allowed_organizations` by
 * membership. Comparisons ignore case (GitHub logins and email domains are case-insensitive).
 * The reason is shown to the user, so it names only their own account.
 */
export function allowlistRefusal(
  user: UpstreamUser,
  authorization: AuthConfig['authorization'],
): string | undefined {
  const users = lower(authorization.allowed_users)
  if (users.length > 0 && !users.includes(user.username.toLowerCase())) {
    return `The account "${user.username}" is not on this server's list of allowed users.`
  }
  const domains = lower(authorization.allowed_email_domains).map((domain) => domain.replace(/^@/, ''))
  if (domains.length > 0) {
    const domain = user.email?.split('@').pop()?.toLowerCase()
    if (!user.email || !domain)
      return 'Sign-in requires an email address, and your account did not share one.'
    if (!domains.includes(domain))
      return `Sign-in is limited to email addresses at ${domains.join(', ')}; yours is at ${domain}.`
  }
  const organizations = lower(authorization.allowed_organizations)
  if (organizations.length > 0) {
    const memberOf = lower(user.organizations ?? [])
    if (!organizations.some((organization) => memberOf.includes(organization))) {
      return `Sign-in is limited to members of ${organizations.join(', ')}, and your account is not a member (or did not share its memberships).`
    }
  }
  return undefined
}
