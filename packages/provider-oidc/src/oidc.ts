import {
  defineProvider,
  oidcOptions,
  oidcProviderBehaviour,
  oidcProviderClient,
  oidcRequired,
  type ProviderBehaviour,
  type ProviderConfig,
  type ProviderRuntimeOptions,
  type ProviderSettings,
  secureEndpointUrl,
  Type,
} from '@mxcp/auth-core/provider-kit'

export const OIDC_DEFAULT_SCOPE = 'openid profile email'
/**
 * The default username: `sub`, the only claim OIDC Core §5.7 makes unique and stable. Set
 * `username_claim` to a claim your provider keeps unique (see the README's identity table).
 */
export const OIDC_DEFAULT_USERNAME_CLAIM = 'sub'

/** The `auth.provider` value. */
export const id = 'oidc'

/** The options of the generic OpenID Connect provider (`auth.oidc`). */
export const OidcOptionsSchema = Type.Object({
  ...oidcOptions({ scope: OIDC_DEFAULT_SCOPE }),
  /** The issuer URL; `/.well-known/openid-configuration` is appended for discovery. */
  issuer: Type.Optional(Type.String()),
})

/**
 * Any OpenID Connect provider by discovery (Okta, Auth0, Entra ID, Authentik, Keycloak, Google…):
 * every endpoint comes from `{issuer}/.well-known/openid-configuration` (OIDC Discovery 1.0), the
 * flow is the code flow with PKCE S256 and a nonce, the ID token is checked against the issuer's
 * keys, and refresh and revocation are used where the provider announces them.
 */
function createOidc(
  options: ProviderSettings<typeof OidcOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  const usernameClaim = options.usernameClaim ?? OIDC_DEFAULT_USERNAME_CLAIM
  const issuer = secureEndpointUrl('oidc.issuer', options.issuer ?? '')
  const client = oidcProviderClient(id, issuer, options, runtime)
  // The id is (issuer, sub); the username is `username_claim` (default `sub`).
  return oidcProviderBehaviour(id, async () => client, usernameClaim)
}

/** The `oidc` provider, registered under its id. */
export const oidc = defineProvider({
  id,
  label: 'OIDC',
  schema: OidcOptionsSchema,
  required: oidcRequired('clientId', 'clientSecret', 'issuer'),
  create: createOidc,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.oidc` (`@mxcp/provider-oidc`). */
    oidc?: ProviderConfig<typeof OidcOptionsSchema> | undefined
  }
}
