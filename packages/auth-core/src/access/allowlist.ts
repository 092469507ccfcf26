import type { AuthConfig } from '../config/index.js'
import { comparableDomain, emailDomain, sameName, sameUserId } from '../identity/identifiers.js'
import type { UpstreamUser } from '../provider.js'

const entries = (values: readonly string[]): string[] => values.map((value) => value.trim()).filter(Boolean)

/** Whether an `allowed_users` entry names this user: their id exactly, or their username in ASCII case. */
function namesUser(entry: string, user: UpstreamUser): boolean {
  return sameUserId(entry, user.userId) || sameName(entry, user.username)
}

/**
 * Why `user` may not sign in under `auth.authorization`'s allowlists, or undefined when they may.
 * Every list that is not empty must be satisfied (they combine with AND): `allowed_users` by the
 * user id (exactly) or the username (ASCII case-insensitively: GitHub logins and OIDC usernames);
 * `allowed_email_domains` by the domain of the *verified* email (providers leave `email` unset
 * when the address is not verified, see `isVerifiedEmail`), lower-cased in ASCII, IDN domains as
 * A-labels; `allowed_organizations` by membership, ASCII case-insensitively. No Unicode case
 * folding anywhere (`identity/identifiers.ts`): a look-alike name never matches.
 * The reason is shown to the user, so it names only their own account.
 */
export function allowlistRefusal(
  user: UpstreamUser,
  authorization: AuthConfig['authorization'],
): string | undefined {
  const users = entries(authorization.allowed_users)
  if (users.length > 0 && !users.some((entry) => namesUser(entry, user))) {
    return `The account "${user.username}" is not on this server's list of allowed users.`
  }
  const domains = entries(authorization.allowed_email_domains)
  if (domains.length > 0) {
    const allowed = domains.map(comparableDomain).filter((domain) => domain !== undefined)
    const domain = user.email === undefined ? undefined : emailDomain(user.email)
    if (!user.email || !domain)
      return 'Sign-in requires an email address the provider has verified, and your account did not share one.'
    if (!allowed.includes(domain))
      return `Sign-in is limited to email addresses at ${domains.join(', ')}; yours is at ${domain}.`
  }
  const organizations = entries(authorization.allowed_organizations)
  if (organizations.length > 0) {
    const memberOf = user.organizations ?? []
    if (!organizations.some((organization) => memberOf.some((group) => sameName(group, organization)))) {
      return `Sign-in is limited to members of ${organizations.join(', ')}, and your account is not a member (or did not share its memberships).`
    }
  }
  return undefined
}
