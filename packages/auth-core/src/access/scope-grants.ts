import type { AuthConfig, ScopeGrantRule } from '../config/index.js'
import type { UpstreamUser } from '../provider.js'
import {
  type CanonicalId,
  entries,
  hasRole,
  inGroup,
  inOrganization,
  matchesEmailDomain,
  namesUser,
} from './identifier-match.js'

/** A rule selects the user when any one of its lists names them. */
export function ruleSelects(rule: ScopeGrantRule, user: UpstreamUser, canonicalId?: CanonicalId): boolean {
  return (
    entries(rule.users).some((entry) => namesUser(entry, user, canonicalId)) ||
    entries(rule.email_domains).some((entry) => matchesEmailDomain(entry, user)) ||
    entries(rule.organizations).some((entry) => inOrganization(entry, user, canonicalId)) ||
    entries(rule.groups).some((entry) => inGroup(entry, user)) ||
    entries(rule.roles).some((entry) => hasRole(entry, user))
  )
}

/**
 * Every scope `user` is granted: `default_scopes` (everyone), plus each scope of `scope_grants`
 * whose rule selects them. Invariant 8: a token never carries a scope outside this set, whatever
 * the client asked for or registered (RFC 6749 §3.3 lets the server issue less than requested).
 */
export function grantedScopes(
  user: UpstreamUser,
  authorization: AuthConfig['authorization'],
  canonicalId?: CanonicalId,
): string[] {
  const granted = new Set(authorization.default_scopes)
  for (const [scope, rule] of Object.entries(authorization.scope_grants)) {
    if (ruleSelects(rule, user, canonicalId)) granted.add(scope)
  }
  return [...granted]
}

/** Of `requested`, those the user is granted, in the order asked. */
export function grantableScopes(
  requested: readonly string[],
  user: UpstreamUser,
  authorization: AuthConfig['authorization'],
  canonicalId?: CanonicalId,
): string[] {
  const granted = new Set(grantedScopes(user, authorization, canonicalId))
  return requested.filter((scope) => granted.has(scope))
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Every scope the configuration can grant anybody (advertised, and registrable by clients).
 * Throws, naming the key, on a scope that is not one RFC 6749 §3.3 scope token.
 */
export function configuredScopes(authorization: AuthConfig['authorization']): string[] {
  const where = [
    ...authorization.default_scopes.map((scope) => ['default_scopes', scope] as const),
    ...Object.keys(authorization.scope_grants).map((scope) => ['scope_grants', scope] as const),
  ]
  for (const [key, scope] of where) {
    if (!SCOPE_TOKEN.test(scope))
      throw new Error(`auth.authorization.${key} contains a malformed scope ${JSON.stringify(scope)}`)
  }
  return [...new Set(where.map(([, scope]) => scope))]
}
