import { asRecord, stringField, UpstreamResponseError, type UpstreamUser } from '@mxcp/auth-core/provider-kit'
import type { GitHubApi } from './github-api.js'

/** Scopes that let `/user/orgs` list the user's organizations. */
const ORG_SCOPES = ['read:org', 'write:org', 'admin:org', 'user']

/**
 * The user behind a token: `/user` (the numeric `id` is the stable user id; the login can be
 * renamed and then taken by someone else), `/user/emails` for the primary verified address, then
 * `/user/orgs` when the token was granted an org scope. A rate-limited call fails the whole
 * lookup (provider unavailable) instead of yielding "no email" or "no orgs".
 */
export async function fetchGitHubUser(
  api: GitHubApi,
  accessToken: string,
  grantedScope: string,
): Promise<UpstreamUser> {
  const profile = asRecord(await api.get('/user', accessToken), 'github', '/user answer')
  const userId = stringField(profile, 'id')
  const username = stringField(profile, 'login')
  if (!userId || !username)
    throw new UpstreamResponseError('github', 'github /user answer has no id or login')
  const scopes = grantedScope.split(/[\s,]+/)
  return {
    userId,
    username,
    // Only the primary address, and only when verified: `/user`'s public email may be any
    // verified address the user chose to show, not the one GitHub vouches for as theirs.
    email: await primaryEmail(api, accessToken),
    name: stringField(profile, 'name'),
    organizations: scopes.some((scope) => ORG_SCOPES.includes(scope))
      ? await organizations(api, accessToken)
      : undefined,
    rawProfile: profile,
  }
}

/**
 * The primary address from `/user/emails`, used only when verified (primary AND verified).
 * Without the `user:email` scope GitHub answers 404 (OAuth apps) or 403 (GitHub Apps): then there
 * is no email, which is not an error.
 */
async function primaryEmail(api: GitHubApi, accessToken: string): Promise<string | undefined> {
  const emails = await api.list('/user/emails', accessToken, [403, 404])
  for (const item of emails ?? []) {
    const entry = asRecord(item, 'github', '/user/emails entry')
    if (entry['primary'] === true && entry['verified'] === true) return stringField(entry, 'email')
  }
  return undefined
}

/** Organization logins; undefined when GitHub refuses to list them (403: scope not granted after all). */
async function organizations(api: GitHubApi, accessToken: string): Promise<string[] | undefined> {
  const orgs = await api.list('/user/orgs', accessToken, [403])
  return orgs?.flatMap((item) => stringField(asRecord(item, 'github', '/user/orgs entry'), 'login') ?? [])
}
