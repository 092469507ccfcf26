import {
  asRecord,
  readJson,
  stringField,
  UpstreamAccountRefusedError,
  type UpstreamHttpOptions,
  UpstreamOAuthError,
  UpstreamResponseError,
  upstreamFetch,
} from '@mxcp/auth-core/provider-kit'

/** The Atlassian sites (cloud ids and URLs) a token may reach. */
export interface AtlassianSites {
  readonly cloudIds: readonly string[]
  readonly urls: readonly string[]
}

/**
 * `GET /oauth/token/accessible-resources` (developer.atlassian.com "Implementing OAuth 2.0 (3LO)"):
 * the sites the app is installed on and the user granted. None is the guide's "No accessible
 * resources found": the user signed in, but nothing here could serve them.
 */
export async function fetchAtlassianSites(
  url: string,
  accessToken: string,
  http: UpstreamHttpOptions,
): Promise<AtlassianSites> {
  const provider = http.provider
  const response = await upstreamFetch(
    url,
    { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}` } },
    http,
  )
  if (response.status !== 200) {
    await response.body?.cancel()
    if (response.status === 401)
      throw new UpstreamOAuthError(provider, 'invalid_token', 'accessible-resources answered 401')
    throw new UpstreamResponseError(provider, `${provider} accessible-resources answered ${response.status}`)
  }
  const body = await readJson(response, provider)
  if (!Array.isArray(body))
    throw new UpstreamResponseError(provider, `${provider} accessible-resources is not a JSON array`)
  const sites = body.map((item) => asRecord(item, provider, 'accessible-resources entry'))
  const cloudIds = sites.flatMap((site) => stringField(site, 'id') ?? [])
  if (cloudIds.length === 0) {
    throw new UpstreamAccountRefusedError(
      provider,
      'No accessible resources found: this app is not installed on any Atlassian site your account can use. Ask a site admin to install it, then sign in again.',
    )
  }
  return { cloudIds, urls: sites.flatMap((site) => stringField(site, 'url') ?? []) }
}
