import { defineOidcProvider, oidcOptions, secureEndpointUrl, Type } from '@mxcp/auth-core/provider-kit'

/**
 * The default username: `sub`, the only claim OIDC Core §5.7 makes unique and stable. Set
 * `username_claim` to a claim your provider keeps unique (see the README's identity table).
 */
export const OIDC_DEFAULT_USERNAME_CLAIM = 'sub'

/** The `auth.provider` value. */
export const id = 'oidc'

/** The options of the generic OpenID Connect provider (`auth.oidc`). */
export const OidcOptionsSchema = Type.Object({
  ...oidcOptions(),
  /** The issuer URL; `/.well-known/openid-configuration` is appended for discovery. */
  issuer: Type.Optional(Type.String()),
})

/**
 * Any OpenID Connect provider by discovery (Okta, Auth0, Entra ID, Authentik, Keycloak, Google…):
 * every endpoint comes from `{issuer}/.well-known/openid-configuration` (OIDC Discovery 1.0), the
 * flow is the code flow with PKCE S256 and a nonce, the ID token is checked against the issuer's
 * keys, and refresh and revocation are used where the provider announces them. The id is
 * (issuer, `sub`); the username is `username_claim` (default `sub`).
 */
export const oidc = defineOidcProvider({
  id,
  label: 'OIDC',
  schema: OidcOptionsSchema,
  required: ['issuer'],
  connect: (options) => ({
    issuer: secureEndpointUrl('oidc.issuer', options.issuer ?? ''),
    usernameClaim: options.usernameClaim ?? OIDC_DEFAULT_USERNAME_CLAIM,
  }),
})
