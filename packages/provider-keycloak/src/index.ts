export type { KeycloakConfig, KeycloakProviderOptions } from './keycloak.js'
export {
  id,
  KEYCLOAK_DEFAULT_CALLBACK_PATH,
  KEYCLOAK_DEFAULT_SCOPE,
  KeycloakOptionsSchema,
  keycloak,
  keycloak as provider,
  keycloak as default,
  keycloakIssuer,
} from './keycloak.js'
