import {
  asciiLowerCase,
  decodeIdTokenClaims,
  defineProvider,
  type OidcClient,
  oidcProviderClient,
  optionalString,
  type ProviderBehaviour,
  type ProviderConfig,
  type ProviderRuntimeOptions,
  type ProviderSettings,
  secureEndpointUrl,
  stringWithDefault,
  Type,
  UpstreamAccountRefusedError,
  UpstreamOAuthError,
  type UpstreamTokens,
  userFromOidcClaims,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'

/** Google's OpenID issuer; its discovery document is `{issuer}/.well-known/openid-configuration`. */
export const GOOGLE_ISSUER = 'https://accounts.google.com'
/** The endpoints Google's discovery document lists (developers.google.com/identity/openid-connect/openid-connect#discovery). */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth'
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
export const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo'
export const GOOGLE_REVOKE_URL = 'https://oauth2.googleapis.com/revoke'
export const GOOGLE_DEFAULT_SCOPE = 'openid profile email'

/**
 * The options of the Google provider (`auth.google`). The endpoints come from discovery on
 * `issuer`; `authUrl`, `tokenUrl`, `userinfoUrl`, `revokeUrl` (the guide's keys) replace the
 * discovered endpoint of the same role when set.
 */
export const GoogleOptionsSchema = Type.Object({
  clientId: Type.Optional(Type.String()),
  clientSecret: Type.Optional(Type.String()),
  scope: stringWithDefault(GOOGLE_DEFAULT_SCOPE),
  issuer: stringWithDefault(GOOGLE_ISSUER),
  authUrl: optionalString(),
  tokenUrl: optionalString(),
  userinfoUrl: optionalString(),
  revokeUrl: optionalString(),
  /** A Google Workspace domain: sent as `hd`, and only accounts whose `hd` claim equals it sign in. */
  hostedDomain: Type.Optional(Type.String({ minLength: 1 })),
})

/** The `auth.provider` value. */
export const id = 'google'

type GoogleSettings = ProviderSettings<typeof GoogleOptionsSchema>

/** Google's scope always includes `openid email`: the stable `sub` and the address to verify. */
function withIdentityScopes(scope: string): string {
  const scopes = scope.split(/\s+/).filter(Boolean)
  for (const needed of ['email', 'openid']) if (!scopes.includes(needed)) scopes.unshift(needed)
  return scopes.join(' ')
}

/** A configured endpoint, checked (https, or http on loopback) under its YAML key; undefined when not set. */
function endpoint(key: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : secureEndpointUrl(`google.${key}`, value)
}

/** The shared OpenID Connect client on Google's issuer, with the configured endpoint overrides. */
function googleClient(options: GoogleSettings, runtime: ProviderRuntimeOptions): OidcClient {
  const issuer = secureEndpointUrl('google.issuer', options.issuer)
  const endpoints = {
    authorization_endpoint: endpoint('auth_url', options.authUrl),
    token_endpoint: endpoint('token_url', options.tokenUrl),
    userinfo_endpoint: endpoint('userinfo_url', options.userinfoUrl),
    revocation_endpoint: endpoint('revoke_url', options.revokeUrl),
  }
  // Google documents the secret in the form body (client_secret_post) and takes Basic too.
  const settings = {
    ...options,
    scope: withIdentityScopes(options.scope),
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    endpoints,
  }
  return oidcProviderClient(id, issuer, settings, runtime)
}

/** The Workspace domain an account belongs to, from the (verified) ID token and from user info. */
function hostedDomainsOf(claims: Readonly<Record<string, unknown>>, tokens: UpstreamTokens): string[] {
  const idClaims = tokens.idToken ? decodeIdTokenClaims(tokens.idToken, id) : {}
  return [idClaims['hd'], claims['hd']].map((hd) => (typeof hd === 'string' ? asciiLowerCase(hd) : ''))
}

/**
 * Google as an upstream identity provider on the shared OpenID Connect client: discovery on
 * `issuer` (Google's by default), the code flow with PKCE S256 and a nonce, the RS256 ID token
 * checked against Google's keys, user info whose `sub` must match the ID token's, refresh, and
 * RFC 7009 revocation. Google's quirks kept: `access_type=offline` with `prompt=consent`, the
 * `hd` parameter and claim for `hosted_domain`, verified email only, and a 400 `invalid_token`
 * answer to revoking a dead token counted as done.
 */
function createGoogle(options: GoogleSettings, runtime: ProviderRuntimeOptions): ProviderBehaviour {
  const hostedDomain = options.hostedDomain ? asciiLowerCase(options.hostedDomain.trim()) : undefined
  const client = googleClient(options, runtime)

  return {
    authorizationUrl(params) {
      // Google issues a refresh token only for `access_type=offline`, and then only at the user's
      // first consent to our client; `prompt=consent` shows the consent screen every time so that
      // a user who signs in again (another MCP client, a lost session) still gets one.
      // `hd` only preselects the Workspace domain on Google's screen; the answer's `hd` claim is what
      // is enforced (developers.google.com/identity/openid-connect/openid-connect#hd-param).
      return client.authorizationUrl(params, {
        access_type: 'offline',
        prompt: 'consent',
        ...(hostedDomain ? { hd: hostedDomain } : {}),
      })
    },
    exchangeCode: (code, codeVerifier, redirectUri) => client.exchangeCode(code, codeVerifier, redirectUri),
    async userInfo(tokens) {
      const claims = await client.userInfoClaims(tokens)
      // Each `hd` Google sent (ID token, user info) must be the domain, and there must be one.
      const domains = hostedDomainsOf(claims, tokens).filter((hd) => hd !== '')
      if (hostedDomain && (domains.length === 0 || domains.some((hd) => hd !== hostedDomain))) {
        // A consumer account (no `hd`) or another Workspace, whatever its address says.
        throw new UpstreamAccountRefusedError(
          id,
          `This server accepts only Google Workspace accounts of ${hostedDomain}; sign in with your ${hostedDomain} account.`,
        )
      }
      const hd = domains[0]
      // The identity is `sub` alone, as before this provider used discovery (no issuer in it).
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
    authorizationResponseIssuer: () => client.authorizationResponseIssuer(),
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
