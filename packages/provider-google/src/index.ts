export type { GoogleConfig, GoogleProviderOptions } from './google.js'
export {
  GOOGLE_AUTH_URL,
  GOOGLE_DEFAULT_CALLBACK_PATH,
  GOOGLE_DEFAULT_SCOPE,
  GOOGLE_REVOKE_URL,
  GOOGLE_TOKEN_URL,
  GOOGLE_USERINFO_URL,
  GoogleOptionsSchema,
  google,
  google as provider,
  google as default,
  id,
} from './google.js'
