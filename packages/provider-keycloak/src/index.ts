import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { KeycloakOptionsSchema } from './keycloak.js'

/** The `auth.keycloak` block as the configuration writes it (snake_case). */
export type KeycloakConfig = ProviderConfig<typeof KeycloakOptionsSchema>
export {
  id,
  KEYCLOAK_DEFAULT_SCOPE,
  KeycloakOptionsSchema,
  keycloak,
  keycloak as provider,
  keycloak as default,
  keycloakIssuer,
} from './keycloak.js'
