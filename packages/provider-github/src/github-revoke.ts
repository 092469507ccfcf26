import { type UpstreamHttpOptions, UpstreamResponseError, upstreamFetch } from '@mxcp/auth-core/provider-kit'

/**
 * Deletes an app authorization's token: `DELETE {api}/applications/{client_id}/token` with the
 * app's own credentials in HTTP Basic and the token in a JSON body (GitHub REST "OAuth
 * authorizations"; GitHub has no RFC 7009 endpoint).
 */
export async function revokeGitHubToken(
  apiBase: string,
  client: { readonly id: string; readonly secret: string },
  accessToken: string,
  http: UpstreamHttpOptions,
): Promise<void> {
  const url = `${apiBase.replace(/\/+$/, '')}/applications/${encodeURIComponent(client.id)}/token`
  const response = await upstreamFetch(
    url,
    {
      method: 'DELETE',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/json',
        'user-agent': 'mxcp-auth',
        'x-github-api-version': '2022-11-28',
      },
      body: JSON.stringify({ access_token: accessToken }),
    },
    http,
  )
  await response.body?.cancel()
  // 204: revoked. 404: the token is unknown (already revoked or expired); GitHub answers the same
  // for wrong app credentials, so the two cannot be told apart; revocation is done either way.
  if (response.status === 204 || response.status === 404) return
  throw new UpstreamResponseError(
    http.provider,
    `${http.provider} token deletion answered ${response.status}`,
    response.status,
  )
}
