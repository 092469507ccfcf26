import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { KeycloakOptionsSchema } from './keycloak.js'

/** The `auth.keycloak` block as the configuration writes it (snake_case). */
export type KeycloakConfig = ProviderConfig<typeof KeycloakOptionsSchema>
/** The scope asked for unless `scope` is configured: the standard OpenID Connect one. */
export { OIDC_STANDARD_SCOPE as KEYCLOAK_DEFAULT_SCOPE } from '@mxcp/auth-core/provider-kit'
export {
  id,
  KeycloakOptionsSchema,
  keycloak,
  keycloak as provider,
  keycloak as default,
  keycloakIssuer,
} from './keycloak.js'

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.keycloak` (`@mxcp/provider-keycloak`). */
    keycloak?: KeycloakConfig | undefined
  }
}
