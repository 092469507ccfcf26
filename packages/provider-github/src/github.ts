import {
  defineOAuth2Provider,
  oauth2Options,
  type ProviderConfig,
  secureEndpointUrl,
  stringWithDefault,
  type TokenRequest,
  Type,
} from '@mxcp/auth-core/provider-kit'
import { GitHubApi } from './github-api.js'
import { revokeGitHubToken } from './github-revoke.js'
import { githubTokenRequest } from './github-token-request.js'
import { fetchGitHubUser } from './github-user.js'

/** The `auth.provider` value. */
export const id = 'github'

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
 * GitHub Enterprise Server (`auth_url`, `token_url`, `api_url`), registered as `github`. PKCE
 * S256 (RFC 7636), supported by GitHub since July 2025.
 */
export const github = defineOAuth2Provider({
  id,
  label: 'GitHub',
  schema: GitHubOptionsSchema,
  // Only GitHub App user tokens expire and carry a refresh token; it rotates on every use.
  noRefreshToken: 'this GitHub token has no refresh token',
  create(options, { client, http }) {
    const credentials = { id: options.clientId ?? '', secret: options.clientSecret ?? '' }
    const apiUrl = secureEndpointUrl(`${id}.api_url`, options.apiUrl)
    const api = new GitHubApi(apiUrl, http)

    /** Token endpoint answer → tokens. GitHub lists granted scopes comma-separated; we use spaces (RFC 6749 §3.3). */
    const requestTokens: TokenRequest = async (params) => {
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
      requestTokens,

      async authorizationUrl(params) {
        return client.authorizationUrl(params, options.scope)
      },

      async userInfo(tokens) {
        return fetchGitHubUser(api, tokens.accessToken, tokens.scope ?? options.scope)
      },

      async revoke(tokens) {
        await revokeGitHubToken(apiUrl, credentials, tokens.accessToken, http)
      },
    }
  },
})

/** The `auth.github` block as the configuration writes it (snake_case). */
export type GitHubConfig = ProviderConfig<typeof GitHubOptionsSchema>

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.github` (`@mxcp/provider-github`). */
    github?: GitHubConfig | undefined
  }
}
