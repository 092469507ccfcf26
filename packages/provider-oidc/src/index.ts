export type { OidcConfig } from '@mxcp/auth-core/provider-kit'
export {
  id,
  OIDC_DEFAULT_CALLBACK_PATH,
  OIDC_DEFAULT_SCOPE,
  oidc,
  oidc as provider,
  oidc as default,
} from './oidc.js'
