export {
  assertBearerChallenge,
  assertErrorPage,
  assertNothingIssued,
  assertNoUpstreamCall,
  assertOAuthError,
  assertRedirectError,
} from './assertions.js'
export type {
  AttackHarnessOptions,
  AuthorizationRequestUrl,
  CompletedLogin,
  IssuedTokens,
  RegisteredClient,
} from './attack-harness.js'
export {
  AttackHarness,
  BASE,
  CLIENT_REDIRECT,
  formFields,
  GITHUB_SCOPE,
  handoverTarget,
  pkcePair,
} from './attack-harness.js'
export { CHROMIUM_PATH, launchChromium } from './chromium.js'
export {
  contentType,
  headerValue,
  hostileBody,
  hostileQuery,
  hostileString,
  PARAMETER_NAMES,
  parameterName,
} from './hostile-input.js'
export type { OidcAttackHarnessOptions, OidcLoginResult } from './oidc-attack-harness.js'
export { OidcAttackHarness } from './oidc-attack-harness.js'
export type { RecordingStore, StoreCall } from './recording-store.js'
export { ISSUING_METHODS, REVOKING_METHODS, recordingStore } from './recording-store.js'
export type { FormFields } from './visitor.js'
export { formBody, setCookies, Visitor } from './visitor.js'
