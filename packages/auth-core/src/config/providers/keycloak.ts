import Type from 'typebox'
import { OidcIdentitySettings } from './oidc-identity-settings.js'

/** `auth.keycloak`. `server_url` is the base URL without the legacy `/auth` suffix. */
export const KeycloakConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    realm: Type.Optional(Type.String()),
    server_url: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'openid profile email' })),
    ...OidcIdentitySettings,
    callback_path: Type.Optional(Type.String({ default: '/keycloak/callback' })),
  },
  { additionalProperties: false },
)
