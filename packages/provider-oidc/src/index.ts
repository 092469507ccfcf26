import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { OidcOptionsSchema } from './oidc.js'

/** The `auth.oidc` block as the configuration writes it (snake_case). */
export type OidcConfig = ProviderConfig<typeof OidcOptionsSchema>
export {
  id,
  OIDC_DEFAULT_SCOPE,
  OidcOptionsSchema,
  oidc,
  oidc as provider,
  oidc as default,
} from './oidc.js'
