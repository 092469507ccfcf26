import type { ProviderRuntimeOptions, UpstreamTokens, UpstreamUser } from '../provider.js'
import type { UpstreamClientAuthMethod } from '../upstream/client-auth-method.js'
import { userFromOidcClaims } from '../upstream/oidc-claims.js'
import { OidcClient } from '../upstream/oidc-client.js'
import type { OidcEndpointOverrides } from '../upstream/oidc-discovery.js'
import { clientAssertionKey } from '../upstream/private-key-jwt.js'
import type { ProviderBehaviour } from './define-provider.js'

/** The options of an OpenID Connect provider that `oidcProviderClient` reads (see `oidcOptions`). */
export interface OidcProviderSettings {
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  readonly scope: string
  readonly tokenEndpointAuthMethod?: UpstreamClientAuthMethod | undefined
  readonly privateKey?: string | undefined
  readonly privateKeyId?: string | undefined
  /** Endpoints the configuration sets in place of the discovered ones (Google's `auth_url`…). */
  readonly endpoints?: OidcEndpointOverrides | undefined
}

/** OIDC Core §3.1.2.1: `openid` MUST be in the scope, else it is plain OAuth without identity. */
function withOpenid(scope: string): string {
  return scope.split(/\s+/).includes('openid') ? scope : `openid ${scope}`.trim()
}

/**
 * The OpenID Connect client of a provider package, on `issuer`: its credentials or key
 * (`private_key_jwt`), the scope with `openid`, and the plugin's runtime (clock, `fetch`, logger).
 */
export function oidcProviderClient(
  provider: string,
  issuer: string,
  settings: OidcProviderSettings,
  runtime: ProviderRuntimeOptions,
): OidcClient {
  const clock = runtime.clock
  return new OidcClient({
    provider,
    issuer,
    clientId: settings.clientId ?? '',
    clientSecret: settings.clientSecret ?? '',
    scope: withOpenid(settings.scope),
    clientAuth: settings.tokenEndpointAuthMethod,
    privateKey: settings.privateKey
      ? clientAssertionKey(`${provider}.private_key`, settings.privateKey, settings.privateKeyId)
      : undefined,
    endpoints: settings.endpoints,
    fetch: runtime.fetch,
    timeoutMs: runtime.timeoutMs,
    log: runtime.log,
    now: clock ? () => clock.now() : undefined,
  })
}

/**
 * The behaviour of an OpenID Connect provider on the shared client: the code flow, refresh,
 * revocation and the RFC 9207 issuer check, each on the client `ready` gives (after any check a
 * provider makes first, such as Keycloak's realm lookup), and the user from user info with
 * `usernameClaim` as the username and (issuer, `sub`) as the identity. `claims` sees the claims
 * (and tokens) for what a provider adds (Keycloak's groups and roles).
 */
export function oidcProviderBehaviour(
  provider: string,
  ready: () => Promise<OidcClient>,
  usernameClaim: string,
  extend: (
    user: UpstreamUser,
    claims: Readonly<Record<string, unknown>>,
    tokens: UpstreamTokens,
  ) => UpstreamUser = (user) => user,
): ProviderBehaviour {
  return {
    authorizationUrl: async (params) => (await ready()).authorizationUrl(params),
    exchangeCode: async (code, codeVerifier, redirectUri) =>
      (await ready()).exchangeCode(code, codeVerifier, redirectUri),
    async userInfo(tokens) {
      const client = await ready()
      const claims = await client.userInfoClaims(tokens)
      const { issuer } = await client.metadata()
      return extend(
        userFromOidcClaims(claims, { provider, usernameClaims: [usernameClaim], issuer }),
        claims,
        tokens,
      )
    },
    refresh: async (tokens) => (await ready()).refresh(tokens),
    revoke: async (tokens) => (await ready()).revoke(tokens),
    authorizationResponseIssuer: async () => (await ready()).authorizationResponseIssuer(),
  }
}
