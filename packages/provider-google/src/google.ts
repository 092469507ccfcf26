import {
  asciiLowerCase,
  asRecord,
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
  UpstreamAccountRefusedError,
  UpstreamOAuthError,
  userFromOidcClaims,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'

/** developers.google.com/identity/protocols/oauth2/web-server */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth'
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
/** The `userinfo_endpoint` of accounts.google.com/.well-known/openid-configuration. */
export const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo'
export const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke'
export const GOOGLE_DEFAULT_SCOPE = 'openid profile email'

/** The options of the Google provider (`auth.google`). */
export const GoogleOptionsSchema = Type.Object({
  ...oauth2Options({ scope: GOOGLE_DEFAULT_SCOPE, authUrl: GOOGLE_AUTH_URL, tokenUrl: GOOGLE_TOKEN_URL }),
  userinfoUrl: stringWithDefault(GOOGLE_USERINFO_URL),
  revokeUrl: stringWithDefault(GOOGLE_REVOKE_URL),
  /** A Google Workspace domain: sent as `hd`, and only accounts whose `hd` claim equals it sign in. */
  hostedDomain: Type.Optional(Type.String({ minLength: 1 })),
})

/** The `auth.provider` value. */
export const id = 'google'

/** Google's scope always includes `openid email`: the stable `sub` and the address to verify. */
function withIdentityScopes(scope: string): string {
  const scopes = scope.split(/\s+/).filter(Boolean)
  for (const needed of ['email', 'openid']) if (!scopes.includes(needed)) scopes.unshift(needed)
  return scopes.join(' ')
}

/**
 * Google as an upstream identity provider: the shared OAuth 2.0 client with PKCE S256, user info
 * from Google's OpenID UserInfo endpoint, refresh and RFC 7009 revocation. Every endpoint is a
 * config option (`auth_url`, `token_url`, `userinfo_url`, `revoke_url`) with Google's as default.
 */
function createGoogle(
  options: ProviderSettings<typeof GoogleOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  const scope = withIdentityScopes(options.scope)
  const hostedDomain = options.hostedDomain ? asciiLowerCase(options.hostedDomain.trim()) : undefined
  const userinfoUrl = secureEndpointUrl('google.userinfo_url', options.userinfoUrl)
  const client = OAuth2Client.forProvider(id, options, runtime)

  return {
    async authorizationUrl(params) {
      // Google issues a refresh token only for `access_type=offline`, and then only at the user's
      // first consent to our client; `prompt=consent` shows the consent screen every time so that
      // a user who signs in again (another MCP client, a lost session) still gets one.
      // `hd` only preselects the Workspace domain on Google's screen; the answer's `hd` claim is what
      // is enforced (developers.google.com/identity/openid-connect/openid-connect#hd-param).
      return client.authorizationUrl(params, scope, {
        access_type: 'offline',
        prompt: 'consent',
        ...(hostedDomain ? { hd: hostedDomain } : {}),
      })
    },
    exchangeCode: (code, codeVerifier, redirectUri) => client.exchangeCode(code, codeVerifier, redirectUri),
    async userInfo(tokens) {
      const claims = asRecord(await client.getJson(userinfoUrl, tokens.accessToken), id, 'user info')
      const hd = typeof claims['hd'] === 'string' ? asciiLowerCase(claims['hd']) : undefined
      if (hostedDomain && hd !== hostedDomain) {
        // A consumer account (no `hd`) or another Workspace, whatever its address says.
        throw new UpstreamAccountRefusedError(
          id,
          `This server accepts only Google Workspace accounts of ${hostedDomain}; sign in with your ${hostedDomain} account.`,
        )
      }
      const user = userFromOidcClaims(claims, { provider: id, usernameClaims: ['sub'] })
      // Only an address Google marks verified counts; Google accounts have no username, so the
      // verified address is the username people know, else the stable `sub`.
      const email = verifiedEmail(claims['email'], claims['email_verified'])
      return { ...user, email, username: email ?? user.userId, attributes: hd ? { hd } : undefined }
    },
    refresh: (tokens) => client.refresh(tokens),
    async revoke(tokens) {
      try {
        await client.revoke(tokens)
      } catch (error) {
        // Google answers 400 `invalid_token` for a token that is already dead where RFC 7009 §2.2
        // says 200; either way the token is gone, which is what revocation is for.
        if (error instanceof UpstreamOAuthError && error.code === 'invalid_token') return
        throw error
      }
    },
  }
}

/** The `google` provider, registered under its id. */
export const google = defineProvider({
  id,
  label: 'Google',
  schema: GoogleOptionsSchema,
  create: createGoogle,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.google` (`@mxcp/provider-google`). */
    google?: ProviderConfig<typeof GoogleOptionsSchema> | undefined
  }
}
