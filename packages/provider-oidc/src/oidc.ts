import {
  assertProviderConfig,
  OidcClient,
  type OidcConfig,
  type ProviderRuntimeOptions,
  secureEndpointUrl,
  type UpstreamProvider,
  userFromOidcClaims,
} from '@mxcp/auth-core'

export const OIDC_DEFAULT_SCOPE = 'openid profile email'
export const OIDC_DEFAULT_CALLBACK_PATH = '/oidc/callback'

/** The `auth.provider` value. */
export const id = 'oidc'

/**
 * Any OpenID Connect provider by discovery (Okta, Auth0, Entra ID, Authentik, Keycloak, Google…):
 * every endpoint comes from `{issuer}/.well-known/openid-configuration` (OIDC Discovery 1.0), the
 * flow is the code flow with PKCE S256 and a nonce, the ID token is checked against the issuer's
 * keys, and refresh and revocation are used where the provider announces them.
 */
export function oidc(config: OidcConfig, options: ProviderRuntimeOptions = {}): UpstreamProvider {
  assertProviderConfig(id, config)
  const scope = config.scope ?? OIDC_DEFAULT_SCOPE
  const client = new OidcClient({
    provider: id,
    issuer: secureEndpointUrl('oidc.issuer', config.issuer ?? ''),
    clientId: config.client_id ?? '',
    clientSecret: config.client_secret ?? '',
    // OIDC Core §3.1.2.1: `openid` MUST be in the scope, else it is plain OAuth without identity.
    scope: scope.split(/\s+/).includes('openid') ? scope : `openid ${scope}`.trim(),
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
  })

  return {
    id,
    label: 'OIDC',
    callbackPath: config.callback_path ?? OIDC_DEFAULT_CALLBACK_PATH,
    authorizationUrl: (params) => client.authorizationUrl(params),
    exchangeCode: (code, codeVerifier, redirectUri) => client.exchangeCode(code, codeVerifier, redirectUri),
    async userInfo(tokens) {
      // `preferred_username` where the provider has one (Keycloak, Okta, Authentik), else the
      // verified email (Auth0, Google), else `sub`.
      return userFromOidcClaims(await client.userInfoClaims(tokens), { provider: id })
    },
    refresh: (tokens) => client.refresh(tokens),
    revoke: (tokens) => client.revoke(tokens),
  } satisfies UpstreamProvider
}
