import {
  asRecord,
  readJson,
  throwIfOAuthError,
  type UpstreamHttpOptions,
  UpstreamResponseError,
  upstreamFetch,
} from '@mxcp/auth-core'

/**
 * One request to Atlassian's token endpoint (RFC 6749 §4.1.3, §6). Atlassian documents JSON
 * request bodies, not the form encoding of RFC 6749, so the shared `OAuth2Client.tokenRequest`
 * does not fit. Errors come as JSON with 401/403 (`invalid_grant` is a 403, Auth0 style).
 */
export async function atlassianTokenRequest(
  tokenUrl: string,
  params: Record<string, string>,
  http: UpstreamHttpOptions,
): Promise<Record<string, unknown>> {
  const response = await upstreamFetch(
    tokenUrl,
    {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(params),
    },
    http,
  )
  const body = asRecord(await readJson(response, http.provider), http.provider, 'token response')
  throwIfOAuthError(body, http.provider)
  if (response.status !== 200) {
    throw new UpstreamResponseError(
      http.provider,
      `${http.provider} token endpoint answered ${response.status}`,
      response.status,
    )
  }
  return body
}
