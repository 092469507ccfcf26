import { asRecord, stringField, UpstreamResponseError, type UpstreamUser } from '@mxcp/auth-core'
import type { GitHubApi } from './github-api.js'

/** Scopes that let `/user/orgs` list the user's organizations. */
const ORG_SCOPES = ['read:org', 'write:org', 'admin:org', 'user']

/**
 * The user behind a token: `/user`, then `/user/emails` when the public email is null, then
 * `/user/orgs` when the token was granted an org scope.
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
    email: stringField(profile, 'email') ?? (await primaryEmail(api, accessToken)),
    name: stringField(profile, 'name'),
    organizations: scopes.some((scope) => ORG_SCOPES.includes(scope))
      ? await organizations(api, accessToken)
      : undefined,
    rawProfile: profile,
  }
}

/**
 * `/user` shows only the public email, null for most users; the primary address is in
 * `/user/emails`. It is used only when verified. Without the `user:email` scope GitHub answers
 * 404 (OAuth apps) or 403 (GitHub Apps): then there is no email, which is not an error.
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
