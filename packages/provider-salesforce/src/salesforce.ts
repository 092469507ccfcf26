import {
  defineOAuth2Provider,
  oauth2Options,
  optionalString,
  type ProviderConfig,
  secureEndpointUrl,
  systemClock,
  type TokenRequest,
  Type,
  withDefault,
} from '@mxcp/auth-core/provider-kit'
import { salesforceId18 } from './salesforce-id.js'
import { revokeSalesforceToken } from './salesforce-revoke.js'
import { assertSalesforceSignature } from './salesforce-signature.js'
import { mapSalesforceUser, userinfoUrlFor } from './salesforce-user.js'

/** Non-secret parts of the token response kept for later: the org's URL and the identity URL. */
const EXTRA_KEYS = ['instance_url', 'id']
/** The `auth.provider` value. */
export const id = 'salesforce'

/**
 * The options of the Salesforce provider (`auth.salesforce`). For a sandbox use
 * test.salesforce.com URLs; for My Domain, your domain's.
 */
export const SalesforceOptionsSchema = Type.Object({
  ...oauth2Options({
    scope: 'api refresh_token openid profile email',
    authUrl: 'https://login.salesforce.com/services/oauth2/authorize',
    tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
  }),
  /** Default: the `userinfo` endpoint of the org that issued the token (from `instance_url`). */
  userinfoUrl: optionalString(),
  /** Default: `/services/oauth2/revoke` at the origin of `token_url`. */
  revokeUrl: optionalString(),
  /** The org's session timeout (Setup → Session Settings, default 2 hours): how long an access token lives. */
  sessionTimeoutSeconds: withDefault(Type.Integer({ minimum: 300, maximum: 86400, default: 7200 })),
})

/**
 * Login with Salesforce (production, sandboxes through test.salesforce.com, or an org's My Domain:
 * set `auth_url` and `token_url`), registered as `salesforce`. A standards-following OAuth 2.0
 * server with PKCE S256, with two quirks: the token response has no `expires_in` (a token lives
 * until the org's session timeout, which we learn when user info answers 401/403), and user info
 * lives on the issuing org's host.
 */
export const salesforce = defineOAuth2Provider({
  id,
  label: 'Salesforce',
  schema: SalesforceOptionsSchema,
  // Refresh tokens are not rotated unless the connected app enables rotation; both are handled.
  noRefreshToken: 'no refresh token (was refresh_token granted?)',
  create(options, { client, http, runtime }) {
    const clientSecret = options.clientSecret ?? ''
    const loginOrigin = new URL(options.tokenUrl).origin
    const userinfoUrl = options.userinfoUrl
      ? secureEndpointUrl(`${id}.userinfo_url`, options.userinfoUrl)
      : undefined
    const revokeUrl = secureEndpointUrl(
      `${id}.revoke_url`,
      options.revokeUrl ?? `${loginOrigin}/services/oauth2/revoke`,
    )

    const clock = runtime.clock ?? systemClock
    const now = (): number => clock.now()
    const timeoutMs = options.sessionTimeoutSeconds * 1000

    /**
     * Salesforce sends no `expires_in`: a token lives until the org's session timeout after it was
     * issued. `expiresAt` is `issued_at` (ms; our clock when absent or in the future) plus the
     * configured `session_timeout_seconds`, so the guard refreshes it ahead of time like any other.
     */
    const requestTokens: TokenRequest = async (params) => {
      const body = await client.tokenRequest(params)
      assertSalesforceSignature(body, clientSecret)
      const tokens = client.parseTokens(body, EXTRA_KEYS)
      const issuedAt = Number(body['issued_at'])
      const at = Number.isFinite(issuedAt) && issuedAt > 0 && issuedAt <= now() ? issuedAt : now()
      return { ...tokens, expiresAt: tokens.expiresAt ?? at + timeoutMs }
    }

    return {
      requestTokens,

      async authorizationUrl(params) {
        return client.authorizationUrl(params, options.scope)
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

      async revoke(tokens) {
        await revokeSalesforceToken(revokeUrl, tokens.refreshToken ?? tokens.accessToken, http)
      },
    }
  },
})

/** The `auth.salesforce` block as the configuration writes it (snake_case). */
export type SalesforceConfig = ProviderConfig<typeof SalesforceOptionsSchema>

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.salesforce` (`@mxcp/provider-salesforce`). */
    salesforce?: SalesforceConfig | undefined
  }
}
