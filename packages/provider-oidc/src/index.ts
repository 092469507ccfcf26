export type { OidcConfig, OidcProviderOptions } from './oidc.js'
export {
  id,
  OIDC_DEFAULT_CALLBACK_PATH,
  OIDC_DEFAULT_SCOPE,
  OidcOptionsSchema,
  oidc,
  oidc as provider,
  oidc as default,
} from './oidc.js'
