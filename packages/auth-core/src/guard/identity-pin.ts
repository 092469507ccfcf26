import type { UpstreamUser } from '../provider.js'

/**
 * A session is pinned to the identity it was created for: the provider's immutable user id and,
 * for OpenID providers, the issuer (OIDC Core §5.7: `sub` is unique only within an issuer). Any
 * answer about another identity (user info with another `sub`, OIDC Core §5.3.2; a refreshed
 * ID token with another `sub` or `iss`, §12.2) ends the session; display names, usernames and
 * emails may change. Returns why the identity changed, or undefined when it did not.
 */
export function identityChange(pinned: UpstreamUser, fetched: UpstreamUser): string | undefined {
  if (fetched.userId !== pinned.userId) return 'the provider answered with another user id'
  if ((fetched.issuer ?? pinned.issuer) !== (pinned.issuer ?? fetched.issuer))
    return 'the provider answered from another issuer'
  return undefined
}
