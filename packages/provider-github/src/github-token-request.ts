import {
  asRecord,
  readCappedText,
  readJson,
  throwIfOAuthError,
  type UpstreamHttpOptions,
  UpstreamResponseError,
  upstreamFetch,
} from '@mxcp/auth-core/provider-kit'

/**
 * One request to GitHub's token endpoint (RFC 6749 §4.1.3, §6), with GitHub's quirks handled:
 * it answers form-encoded unless asked for JSON, and answers errors with HTTP 200.
 */
export async function githubTokenRequest(
  tokenUrl: string,
  params: Record<string, string>,
  http: UpstreamHttpOptions,
): Promise<Record<string, unknown>> {
  const response = await upstreamFetch(
    tokenUrl,
    {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    },
    http,
  )
  const body = await readTokenBody(response, http.provider)
  // GitHub answers a bad code, a bad secret or a spent refresh token with HTTP 200 and an
  // `error` field, so the body is checked before the status.
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

async function readTokenBody(response: Response, provider: string): Promise<Record<string, unknown>> {
  // We ask for JSON, but GitHub (and GitHub Enterprise behind some proxies that drop `Accept`)
  // answers `access_token=…&scope=…&token_type=bearer` when the header does not reach it.
  if ((response.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(await readCappedText(response, provider)))
  }
  return asRecord(await readJson(response, provider), provider, 'token response')
}
