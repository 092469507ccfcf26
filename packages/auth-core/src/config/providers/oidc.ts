import Type from 'typebox'
import { OidcIdentitySettings } from './oidc-identity-settings.js'

/** `auth.oidc`: any OpenID Connect issuer, found by discovery (Okta, Auth0, Entra ID, Authentik…). */
export const OidcConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    /** The issuer URL; `/.well-known/openid-configuration` is appended for discovery. */
    issuer: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'openid profile email' })),
    ...OidcIdentitySettings,
    callback_path: Type.Optional(Type.String({ default: '/oidc/callback' })),
  },
  { additionalProperties: false },
)
