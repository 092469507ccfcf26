import {
  assertProviderConfig,
  OAuth2Client,
  type ProviderRuntimeOptions,
  type SalesforceConfig,
  secureEndpointUrl,
  systemClock,
  UpstreamOAuthError,
  type UpstreamProvider,
  type UpstreamTokens,
} from '@mxcp/auth-core/provider-kit'
import { salesforceId18 } from './salesforce-id.js'
import { revokeSalesforceToken } from './salesforce-revoke.js'
import { assertSalesforceSignature } from './salesforce-signature.js'
import { mapSalesforceUser, userinfoUrlFor } from './salesforce-user.js'

const AUTH_URL = 'https://login.salesforce.com/services/oauth2/authorize'
const TOKEN_URL = 'https://login.salesforce.com/services/oauth2/token'
const SCOPE = 'api refresh_token openid profile email'
const CALLBACK_PATH = '/salesforce/callback'
/** Non-secret parts of the token response kept for later: the org's URL and the identity URL. */
const EXTRA_KEYS = ['instance_url', 'id']
/** Salesforce's default session timeout (Setup → Session Settings): 2 hours. */
const SESSION_TIMEOUT_S = 7200
const ID = 'salesforce'

/** Runtime options of the Salesforce provider. */
/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type SalesforceOptions = ProviderRuntimeOptions

/**
 * Login with Salesforce (production, sandboxes through test.salesforce.com, or an org's My Domain:
 * set `auth_url` and `token_url`). A standards-following OAuth 2.0 server with PKCE S256, with two
 * quirks: the token response has no `expires_in` (a token lives until the org's session timeout,
 * which we learn when user info answers 401/403), and user info lives on the issuing org's host.
 */
export function salesforce(config: SalesforceConfig, options: SalesforceOptions = {}): UpstreamProvider {
  assertProviderConfig(ID, config)
  const scope = config.scope ?? SCOPE
  const client = OAuth2Client.forProvider(ID, config, { authUrl: AUTH_URL, tokenUrl: TOKEN_URL }, options)
  const { clientSecret, tokenUrl } = client.options
  const loginOrigin = new URL(tokenUrl).origin
  const userinfoUrl = config.userinfo_url
    ? secureEndpointUrl(`${ID}.userinfo_url`, config.userinfo_url)
    : undefined
  const revokeUrl = secureEndpointUrl(
    `${ID}.revoke_url`,
    config.revoke_url || `${loginOrigin}/services/oauth2/revoke`,
  )
  const http = { provider: ID, fetch: options.fetch, timeoutMs: options.timeoutMs }

  const clock = options.clock ?? systemClock
  const now = (): number => clock.now()
  const timeoutMs = (config.session_timeout_seconds ?? SESSION_TIMEOUT_S) * 1000

  /**
   * Salesforce sends no `expires_in`: a token lives until the org's session timeout after it was
   * issued. `expiresAt` is `issued_at` (ms; our clock when absent or in the future) plus the
   * configured `session_timeout_seconds`, so the guard refreshes it ahead of time like any other.
   */
  async function requestTokens(params: Record<string, string>): Promise<UpstreamTokens> {
    const body = await client.tokenRequest(params)
    assertSalesforceSignature(body, clientSecret)
    const tokens = client.parseTokens(body, EXTRA_KEYS)
    const issuedAt = Number(body['issued_at'])
    const at = Number.isFinite(issuedAt) && issuedAt > 0 && issuedAt <= now() ? issuedAt : now()
    return { ...tokens, expiresAt: tokens.expiresAt ?? at + timeoutMs }
  }

  return {
    id: ID,
    label: 'Salesforce',
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

    /** A 401/403 here (UpstreamOAuthError `invalid_token`) is how a Salesforce token is found dead. */
    async userInfo(tokens) {
      return mapSalesforceUser(
        await client.getJson(userinfoUrlFor(tokens, userinfoUrl, loginOrigin), tokens.accessToken),
        tokens,
      )
    },

    /** Ids compare in their 18-character form: a configured 15-character id matches too. */
    canonicalId: salesforceId18,

    /** Refresh tokens are not rotated unless the connected app enables rotation; both are handled. */
    async refresh(tokens) {
      if (!tokens.refreshToken)
        throw new UpstreamOAuthError(ID, 'invalid_grant', 'no refresh token (was refresh_token granted?)')
      const fresh = await requestTokens({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
      return {
        ...fresh,
        refreshToken: fresh.refreshToken ?? tokens.refreshToken,
        extra: fresh.extra ?? tokens.extra,
      }
    },

    async revoke(tokens) {
      await revokeSalesforceToken(revokeUrl, tokens.refreshToken ?? tokens.accessToken, http)
    },
  } satisfies UpstreamProvider
}
