import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { OidcOptionsSchema } from './oidc.js'

/** The `auth.oidc` block as the configuration writes it (snake_case). */
export type OidcConfig = ProviderConfig<typeof OidcOptionsSchema>
/** The scope asked for unless `scope` is configured: the standard OpenID Connect one. */
export { OIDC_STANDARD_SCOPE as OIDC_DEFAULT_SCOPE } from '@mxcp/auth-core/provider-kit'
export {
  id,
  OidcOptionsSchema,
  oidc,
  oidc as provider,
  oidc as default,
} from './oidc.js'

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.oidc` (`@mxcp/provider-oidc`). */
    oidc?: OidcConfig | undefined
  }
}
