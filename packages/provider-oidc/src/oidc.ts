import {
  assertProviderConfig,
  clientAssertionKey,
  OidcClient,
  type OidcConfig,
  type ProviderRuntimeOptions,
  secureEndpointUrl,
  type UpstreamProvider,
  userFromOidcClaims,
} from '@mxcp/auth-core/provider-kit'

export const OIDC_DEFAULT_SCOPE = 'openid profile email'
export const OIDC_DEFAULT_CALLBACK_PATH = '/oidc/callback'
/**
 * The default username: `sub`, the only claim OIDC Core §5.7 makes unique and stable. Set
 * `username_claim` to a claim your provider keeps unique (see the README's identity table).
 */
export const OIDC_DEFAULT_USERNAME_CLAIM = 'sub'

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
  const usernameClaim = config.username_claim ?? OIDC_DEFAULT_USERNAME_CLAIM
  const client = new OidcClient({
    provider: id,
    issuer: secureEndpointUrl('oidc.issuer', config.issuer ?? ''),
    clientId: config.client_id ?? '',
    clientSecret: config.client_secret ?? '',
    // OIDC Core §3.1.2.1: `openid` MUST be in the scope, else it is plain OAuth without identity.
    scope: scope.split(/\s+/).includes('openid') ? scope : `openid ${scope}`.trim(),
    clientAuth: config.token_endpoint_auth_method,
    privateKey: config.private_key
      ? clientAssertionKey('oidc.private_key', config.private_key, config.private_key_id)
      : undefined,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    log: options.log,
    now: options.clock ? () => options.clock?.now() ?? Date.now() : undefined,
  })

  return {
    id,
    label: 'OIDC',
    callbackPath: config.callback_path ?? OIDC_DEFAULT_CALLBACK_PATH,
    authorizationUrl: (params) => client.authorizationUrl(params),
    exchangeCode: (code, codeVerifier, redirectUri) => client.exchangeCode(code, codeVerifier, redirectUri),
    async userInfo(tokens) {
      // The id is (issuer, sub); the username is `username_claim` (default `sub`).
      const claims = await client.userInfoClaims(tokens)
      const { issuer } = await client.metadata()
      return userFromOidcClaims(claims, { provider: id, usernameClaims: [usernameClaim], issuer })
    },
    refresh: (tokens) => client.refresh(tokens),
    revoke: (tokens) => client.revoke(tokens),
    authorizationResponseIssuer: () => client.authorizationResponseIssuer(),
  } satisfies UpstreamProvider
}
