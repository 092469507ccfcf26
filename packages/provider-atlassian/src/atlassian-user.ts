import {
  asRecord,
  readJson,
  stringField,
  type UpstreamHttpOptions,
  UpstreamOAuthError,
  UpstreamResponseError,
  type UpstreamUser,
  upstreamFetch,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'

/** The user behind a token, from the User Identity API (`GET https://api.atlassian.com/me`). */
export async function fetchAtlassianUser(
  meUrl: string,
  accessToken: string,
  http: UpstreamHttpOptions,
): Promise<UpstreamUser> {
  const provider = http.provider
  const response = await upstreamFetch(
    meUrl,
    { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
    http,
  )
  if (response.status !== 200) {
    await response.body?.cancel()
    if (response.status === 401) throw new UpstreamOAuthError(provider, 'invalid_token', '/me answered 401')
    // 403: the token is alive but was not granted `read:me`, which /me needs: the configured
    // `atlassian.scope` lacks it (a server configuration error, not the user's refusal).
    if (response.status === 403)
      throw new UpstreamResponseError(
        provider,
        `${provider} /me answered 403: add read:me to atlassian.scope (and to the app's permissions)`,
        403,
      )
    throw new UpstreamResponseError(provider, `${provider} /me answered ${response.status}`, response.status)
  }
  const profile = asRecord(await readJson(response, provider), provider, '/me answer')
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
