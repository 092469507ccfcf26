import {
  asRecord,
  stringField,
  UpstreamAccountRefusedError,
  type UpstreamHttpOptions,
  UpstreamResponseError,
} from '@mxcp/auth-core/provider-kit'
import { getAtlassianJson } from './atlassian-api.js'

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
  const body = await getAtlassianJson(url, 'accessible-resources', accessToken, http)
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
