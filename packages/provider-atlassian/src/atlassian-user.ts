import {
  asRecord,
  readJson,
  stringField,
  type UpstreamHttpOptions,
  UpstreamOAuthError,
  UpstreamResponseError,
  type UpstreamUser,
  upstreamFetch,
} from '@mxcp/auth-core'

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
    // 403: the token is alive but was not granted `read:me`, which /me needs.
    if (response.status === 403)
      throw new UpstreamOAuthError(provider, 'insufficient_scope', '/me needs the read:me scope')
    throw new UpstreamResponseError(provider, `${provider} /me answered ${response.status}`, response.status)
  }
  const profile = asRecord(await readJson(response, provider), provider, '/me answer')
  const userId = stringField(profile, 'account_id')
  if (!userId) throw new UpstreamResponseError(provider, `${provider} /me answer has no account_id`)
  return {
    userId,
    // `nickname` is the public name Atlassian shows for the account; it is always present on /me.
    username: stringField(profile, 'nickname') ?? stringField(profile, 'email') ?? userId,
    email: profile['email_verified'] === false ? undefined : stringField(profile, 'email'),
    name: stringField(profile, 'name'),
    rawProfile: profile,
  }
}
