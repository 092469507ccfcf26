import {
  defineProvider,
  OAuth2Client,
  oauth2Options,
  type ProviderBehaviour,
  type ProviderConfig,
  type ProviderRuntimeOptions,
  type ProviderSettings,
  secureEndpointUrl,
  stringWithDefault,
  Type,
  tokenGrants,
  type UpstreamTokens,
  upstreamHttp,
} from '@mxcp/auth-core/provider-kit'
import { fetchAtlassianSites } from './atlassian-sites.js'
import { fetchAtlassianUser } from './atlassian-user.js'

/** Tokens for the Atlassian platform APIs (Jira, Confluence, /me) are issued for this audience. */
const AUDIENCE = 'api.atlassian.com'
const ID = 'atlassian'

/** The options of the Atlassian provider (`auth.atlassian`, OAuth 2.0 3LO). */
export const AtlassianOptionsSchema = Type.Object({
  ...oauth2Options({
    scope: 'read:me read:jira-work read:jira-user offline_access',
    authUrl: 'https://auth.atlassian.com/authorize',
    tokenUrl: 'https://auth.atlassian.com/oauth/token',
  }),
  /** The User Identity API; the accessible-resources endpoint is found next to it. */
  userinfoUrl: stringWithDefault('https://api.atlassian.com/me'),
})

/**
 * Login with Atlassian Cloud (Jira, Confluence) through OAuth 2.0 (3LO). Refresh tokens need the
 * `offline_access` scope and rotate on every use. Atlassian has no token revocation endpoint for
 * 3LO apps (users revoke access from their account settings), so there is no `revoke`.
 */
function createAtlassian(
  options: ProviderSettings<typeof AtlassianOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  // Atlassian documents JSON request bodies for its token endpoint, not the form encoding of
  // RFC 6749. Errors come as JSON with 401/403 (`invalid_grant` is a 403, Auth0 style).
  const client = OAuth2Client.forProvider(ID, options, runtime, { tokenRequestBody: 'json' })
  const meUrl = secureEndpointUrl(`${ID}.userinfo_url`, options.userinfoUrl)
  // The accessible-resources endpoint lives next to /me (api.atlassian.com, or the same stand-in).
  const resourcesUrl = new URL('/oauth/token/accessible-resources', meUrl).href
  const http = upstreamHttp(ID, runtime)

  async function requestTokens(params: Record<string, string>): Promise<UpstreamTokens> {
    return client.parseTokens(await client.tokenRequest(params))
  }

  return {
    async authorizationUrl(params) {
      // `prompt=consent` shows the consent screen, which Atlassian requires for 3LO. PKCE is not in
      // Atlassian's documentation, but the Auth0 server behind auth.atlassian.com honours it; an
      // authorization server that ignores it loses nothing.
      return client.authorizationUrl(params, options.scope, { audience: AUDIENCE, prompt: 'consent' })
    },

    /** `/me`, then the sites: none ends the sign-in (or the session) with the guide's refusal. */
    async userInfo(tokens) {
      const user = await fetchAtlassianUser(meUrl, tokens.accessToken, http)
      const sites = await fetchAtlassianSites(resourcesUrl, tokens.accessToken, http)
      const attributes = { cloud_ids: sites.cloudIds.join(','), site_urls: sites.urls.join(',') }
      return { ...user, attributes: { ...attributes, cloud_id: sites.cloudIds[0] ?? '' } }
    },

    // Rotating refresh tokens: the answer carries a new one and the one sent is spent.
    ...tokenGrants(ID, requestTokens, 'no refresh token (was offline_access granted?)'),
  }
}

/** The `atlassian` provider, registered under its id. */
export const atlassian = defineProvider({
  id: ID,
  label: 'Atlassian',
  schema: AtlassianOptionsSchema,
  create: createAtlassian,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.atlassian` (`@mxcp/provider-atlassian`). */
    atlassian?: ProviderConfig<typeof AtlassianOptionsSchema> | undefined
  }
}
