import {
  readJson,
  type UpstreamHttpOptions,
  UpstreamOAuthError,
  UpstreamResponseError,
  upstreamFetch,
} from '@mxcp/auth-core/provider-kit'

/**
 * `GET url` on Atlassian's API with the user's access token: the JSON answer. A 401 is a dead
 * token (`invalid_token`, so the session ends); any other status is an UpstreamResponseError,
 * with the hint `hints` gives for it (what to fix in the configuration).
 */
export async function getAtlassianJson(
  url: string,
  endpoint: string,
  accessToken: string,
  http: UpstreamHttpOptions,
  hints: Readonly<Record<number, string>> = {},
): Promise<unknown> {
  const provider = http.provider
  const response = await upstreamFetch(
    url,
    { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
    http,
  )
  if (response.status !== 200) {
    await response.body?.cancel()
    if (response.status === 401)
      throw new UpstreamOAuthError(provider, 'invalid_token', `${endpoint} answered 401`)
    const hint = hints[response.status]
    const message = `${provider} ${endpoint} answered ${response.status}${hint ? `: ${hint}` : ''}`
    throw new UpstreamResponseError(provider, message, response.status)
  }
  return readJson(response, provider)
}
