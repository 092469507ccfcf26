import type { AuthConfig } from '../config/index.js'
import type { UpstreamUser } from '../provider.js'
import {
  type CanonicalId,
  entries,
  hasRole,
  inGroup,
  inOrganization,
  matchesEmailDomain,
  namesUser,
  userEmailDomain,
} from './identifier-match.js'

/**
 * Why `user` may not sign in under `auth.authorization`'s allowlists, or undefined when they may.
 * Every list that is not empty must be satisfied (they combine with AND): `allowed_users` by the
 * user id (exactly, after the provider's `canonicalId`) or the username (ASCII case-insensitively);
 * `allowed_email_domains` by the domain of the *verified* email (providers leave `email` unset
 * when the address is not verified, see `isVerifiedEmail`), IDN domains as A-labels;
 * `allowed_organizations`, `allowed_groups` and `allowed_roles` by membership. No Unicode case
 * folding anywhere (`identity/identifiers.ts`): a look-alike name never matches.
 * The reason is shown to the user, so it names only their own account.
 */
export function allowlistRefusal(
  user: UpstreamUser,
  authorization: AuthConfig['authorization'],
  canonicalId?: CanonicalId,
): string | undefined {
  const users = entries(authorization.allowed_users)
  if (users.length > 0 && !users.some((entry) => namesUser(entry, user, canonicalId))) {
    return `The account "${user.username}" is not on this server's list of allowed users.`
  }
  const domains = entries(authorization.allowed_email_domains)
  if (domains.length > 0) {
    const domain = userEmailDomain(user)
    if (!domain)
      return 'Sign-in requires an email address the provider has verified, and your account did not share one.'
    if (!domains.some((entry) => matchesEmailDomain(entry, user)))
      return `Sign-in is limited to email addresses at ${domains.join(', ')}; yours is at ${domain}.`
  }
  const organizations = entries(authorization.allowed_organizations)
  if (organizations.length > 0 && !organizations.some((entry) => inOrganization(entry, user, canonicalId))) {
    return `Sign-in is limited to members of ${organizations.join(', ')}, and your account is not a member (or did not share its memberships).`
  }
  const groups = entries(authorization.allowed_groups)
  if (groups.length > 0 && !groups.some((entry) => inGroup(entry, user))) {
    return `Sign-in is limited to members of the groups ${groups.join(', ')}, and your account is in none of them.`
  }
  const roles = entries(authorization.allowed_roles)
  if (roles.length > 0 && !roles.some((entry) => hasRole(entry, user))) {
    return `Sign-in is limited to holders of the roles ${roles.join(', ')}, and your account has none of them.`
  }
  return undefined
}
