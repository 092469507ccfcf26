export type { KeycloakConfig } from '@mxcp/auth-core/provider-kit'
export {
  id,
  KEYCLOAK_DEFAULT_CALLBACK_PATH,
  KEYCLOAK_DEFAULT_SCOPE,
  keycloak,
  keycloak as provider,
  keycloak as default,
  keycloakIssuer,
} from './keycloak.js'
