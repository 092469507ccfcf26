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
import { GitHubApi } from './github-api.js'
import { revokeGitHubToken } from './github-revoke.js'
import { githubTokenRequest } from './github-token-request.js'
import { fetchGitHubUser } from './github-user.js'

const ID = 'github'

/**
 * The options of the GitHub provider (`auth.github`). Defaults are GitHub.com's; point the URLs
 * at GitHub Enterprise Server or a stand-in.
 */
export const GitHubOptionsSchema = Type.Object({
  ...oauth2Options({
    scope: 'user:email',
    authUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
  }),
  /** Base of the REST API: `/user`, `/user/emails`, `/user/orgs`, `/applications/{id}/token`. */
  apiUrl: stringWithDefault('https://api.github.com'),
})

/**
 * Login with GitHub (OAuth apps, and GitHub Apps with expiring user tokens), on github.com or
 * GitHub Enterprise Server (`auth_url`, `token_url`, `api_url`). PKCE S256 (RFC 7636), supported
 * by GitHub since July 2025.
 */
function createGitHub(
  options: ProviderSettings<typeof GitHubOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  const client = OAuth2Client.forProvider(ID, options, runtime)
  const credentials = { id: options.clientId ?? '', secret: options.clientSecret ?? '' }
  const apiUrl = secureEndpointUrl(`${ID}.api_url`, options.apiUrl)
  const http = upstreamHttp(ID, runtime)
  const api = new GitHubApi(apiUrl, http)

  /** Token endpoint answer → tokens. GitHub lists granted scopes comma-separated; we use spaces (RFC 6749 §3.3). */
  async function requestTokens(params: Record<string, string>): Promise<UpstreamTokens> {
    const tokens = client.parseTokens(
      await githubTokenRequest(
        options.tokenUrl,
        { ...params, client_id: credentials.id, client_secret: credentials.secret },
        http,
      ),
    )
    return {
      ...tokens,
      scope: tokens.scope
        ?.split(/[\s,]+/)
        .filter(Boolean)
        .join(' '),
    }
  }

  return {
    async authorizationUrl(params) {
      return client.authorizationUrl(params, options.scope)
    },

    async userInfo(tokens) {
      return fetchGitHubUser(api, tokens.accessToken, tokens.scope ?? options.scope)
    },

    // Only GitHub App user tokens expire and carry a refresh token; it rotates on every use.
    ...tokenGrants(ID, requestTokens, 'this GitHub token has no refresh token'),

    async revoke(tokens) {
      await revokeGitHubToken(apiUrl, credentials, tokens.accessToken, http)
    },
  }
}

/** The `github` provider, registered under its id. */
export const github = defineProvider({
  id: ID,
  label: 'GitHub',
  schema: GitHubOptionsSchema,
  create: createGitHub,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.github` (`@mxcp/provider-github`). */
    github?: ProviderConfig<typeof GitHubOptionsSchema> | undefined
  }
}
