import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { GoogleOptionsSchema } from './google.js'

/** The `auth.google` block as the configuration writes it (snake_case). */
export type GoogleConfig = ProviderConfig<typeof GoogleOptionsSchema>
export {
  GOOGLE_AUTH_URL,
  GOOGLE_DEFAULT_SCOPE,
  GOOGLE_ISSUER,
  GOOGLE_REVOKE_URL,
  GOOGLE_TOKEN_URL,
  GOOGLE_USERINFO_URL,
  GoogleOptionsSchema,
  google,
  google as provider,
  google as default,
  id,
} from './google.js'
