import {
  defineProvider,
  OAuth2Client,
  oauth2Options,
  optionalString,
  type ProviderBehaviour,
  type ProviderConfig,
  type ProviderRuntimeOptions,
  type ProviderSettings,
  secureEndpointUrl,
  systemClock,
  Type,
  tokenGrants,
  type UpstreamTokens,
  upstreamHttp,
  withDefault,
} from '@mxcp/auth-core/provider-kit'
import { salesforceId18 } from './salesforce-id.js'
import { revokeSalesforceToken } from './salesforce-revoke.js'
import { assertSalesforceSignature } from './salesforce-signature.js'
import { mapSalesforceUser, userinfoUrlFor } from './salesforce-user.js'

/** Non-secret parts of the token response kept for later: the org's URL and the identity URL. */
const EXTRA_KEYS = ['instance_url', 'id']
const ID = 'salesforce'

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
 * set `auth_url` and `token_url`). A standards-following OAuth 2.0 server with PKCE S256, with two
 * quirks: the token response has no `expires_in` (a token lives until the org's session timeout,
 * which we learn when user info answers 401/403), and user info lives on the issuing org's host.
 */
function createSalesforce(
  options: ProviderSettings<typeof SalesforceOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  const client = OAuth2Client.forProvider(ID, options, runtime)
  const clientSecret = options.clientSecret ?? ''
  const loginOrigin = new URL(options.tokenUrl).origin
  const userinfoUrl = options.userinfoUrl
    ? secureEndpointUrl(`${ID}.userinfo_url`, options.userinfoUrl)
    : undefined
  const revokeUrl = secureEndpointUrl(
    `${ID}.revoke_url`,
    options.revokeUrl ?? `${loginOrigin}/services/oauth2/revoke`,
  )
  const http = upstreamHttp(ID, runtime)

  const clock = runtime.clock ?? systemClock
  const now = (): number => clock.now()
  const timeoutMs = options.sessionTimeoutSeconds * 1000

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

    // Refresh tokens are not rotated unless the connected app enables rotation; both are handled.
    ...tokenGrants(ID, requestTokens, 'no refresh token (was refresh_token granted?)'),

    async revoke(tokens) {
      await revokeSalesforceToken(revokeUrl, tokens.refreshToken ?? tokens.accessToken, http)
    },
  }
}

/** The `salesforce` provider, registered under its id. */
export const salesforce = defineProvider({
  id: ID,
  label: 'Salesforce',
  schema: SalesforceOptionsSchema,
  create: createSalesforce,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.salesforce` (`@mxcp/provider-salesforce`). */
    salesforce?: ProviderConfig<typeof SalesforceOptionsSchema> | undefined
  }
}
