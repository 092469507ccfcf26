import {
  asRecord,
  stringField,
  type UpstreamHttpOptions,
  UpstreamResponseError,
  type UpstreamUser,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'
import { getAtlassianJson } from './atlassian-api.js'

/** The user behind a token, from the User Identity API (`GET https://api.atlassian.com/me`). */
export async function fetchAtlassianUser(
  meUrl: string,
  accessToken: string,
  http: UpstreamHttpOptions,
): Promise<UpstreamUser> {
  const provider = http.provider
  // 403: the token is alive but was not granted `read:me`, which /me needs: the configured
  // `atlassian.scope` lacks it (a server configuration error, not the user's refusal).
  const answer = await getAtlassianJson(meUrl, '/me', accessToken, http, {
    403: "add read:me to atlassian.scope (and to the app's permissions)",
  })
  const profile = asRecord(answer, provider, '/me answer')
  const userId = stringField(profile, 'account_id')
  if (!userId) throw new UpstreamResponseError(provider, `${provider} /me answer has no account_id`)
  return {
    userId,
    // `account_id` is also the username: the `nickname` is a public display name that every user
    // can edit and that is not unique, so it must never decide who someone is.
    username: userId,
    email: verifiedEmail(profile['email'], profile['email_verified']),
    name: stringField(profile, 'name') ?? stringField(profile, 'nickname'),
    rawProfile: profile,
  }
}
