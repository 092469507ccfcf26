import {
  assertProviderConfig,
  type GitHubConfig,
  OAuth2Client,
  type ProviderRuntimeOptions,
  secureEndpointUrl,
  UpstreamOAuthError,
  type UpstreamProvider,
  type UpstreamTokens,
} from '@mxcp/auth-core/provider-kit'
import { GitHubApi } from './github-api.js'
import { revokeGitHubToken } from './github-revoke.js'
import { githubTokenRequest } from './github-token-request.js'
import { fetchGitHubUser } from './github-user.js'

const AUTH_URL = 'https://github.com/login/oauth/authorize'
const TOKEN_URL = 'https://github.com/login/oauth/access_token'
const API_URL = 'https://api.github.com'
const SCOPE = 'user:email'
const CALLBACK_PATH = '/github/callback'
const ID = 'github'

/** Runtime options of the GitHub provider. */
/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type GitHubOptions = ProviderRuntimeOptions

/**
 * Login with GitHub (OAuth apps, and GitHub Apps with expiring user tokens), on github.com or
 * GitHub Enterprise Server (`auth_url`, `token_url`, `api_url`). PKCE S256 (RFC 7636), supported
 * by GitHub since July 2025.
 */
export function github(config: GitHubConfig, options: GitHubOptions = {}): UpstreamProvider {
  assertProviderConfig(ID, config)
  const scope = config.scope ?? SCOPE
  const client = OAuth2Client.forProvider(ID, config, { authUrl: AUTH_URL, tokenUrl: TOKEN_URL }, options)
  const { clientId, clientSecret, tokenUrl } = client.options
  const apiUrl = secureEndpointUrl(`${ID}.api_url`, config.api_url || API_URL)
  const http = { provider: ID, fetch: options.fetch, timeoutMs: options.timeoutMs }
  const api = new GitHubApi(apiUrl, http)

  /** Token endpoint answer → tokens. GitHub lists granted scopes comma-separated; we use spaces (RFC 6749 §3.3). */
  async function requestTokens(params: Record<string, string>): Promise<UpstreamTokens> {
    const tokens = client.parseTokens(
      await githubTokenRequest(
        tokenUrl,
        { ...params, client_id: clientId, client_secret: clientSecret },
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
    id: ID,
    label: 'GitHub',
    callbackPath: config.callback_path ?? CALLBACK_PATH,

    async authorizationUrl(params) {
      return client.authorizationUrl(params, scope)
    },

    async exchangeCode(code, codeVerifier, redirectUri) {
      return requestTokens({
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: redirectUri,
      })
    },

    async userInfo(tokens) {
      return fetchGitHubUser(api, tokens.accessToken, tokens.scope ?? scope)
    },

    /** Only GitHub App user tokens expire and carry a refresh token; it rotates on every use. */
    async refresh(tokens) {
      if (!tokens.refreshToken)
        throw new UpstreamOAuthError(ID, 'invalid_grant', 'this GitHub token has no refresh token')
      const fresh = await requestTokens({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
      return { ...fresh, refreshToken: fresh.refreshToken ?? tokens.refreshToken }
    },

    async revoke(tokens) {
      await revokeGitHubToken(apiUrl, { id: clientId, secret: clientSecret }, tokens.accessToken, http)
    },
  } satisfies UpstreamProvider
}
