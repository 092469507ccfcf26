import {
  asRecord,
  readJson,
  stringField,
  throwIfOAuthError,
  type UpstreamHttpOptions,
  UpstreamResponseError,
  upstreamFetch,
} from '@mxcp/auth-core/provider-kit'

/**
 * Revokes a token at `/services/oauth2/revoke` (a refresh token takes its access tokens along).
 * Salesforce answers 400 `invalid_token` for a token it no longer knows, where RFC 7009 §2.2 says
 * 200: either way the token is dead, so that is success.
 */
export async function revokeSalesforceToken(
  revokeUrl: string,
  token: string,
  http: UpstreamHttpOptions,
): Promise<void> {
  const response = await upstreamFetch(
    revokeUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    },
    http,
  )
  if (response.status === 200) {
    await response.body?.cancel()
    return
  }
  if (response.status === 400) {
    const body = asRecord(await readJson(response, http.provider), http.provider, 'revocation answer')
    if (stringField(body, 'error') === 'invalid_token') return
    throwIfOAuthError(body, http.provider)
  } else {
    await response.body?.cancel()
  }
  throw new UpstreamResponseError(
    http.provider,
    `${http.provider} revocation answered ${response.status}`,
    response.status,
  )
}
