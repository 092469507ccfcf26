export { CookieJar } from './browser/cookie-jar.js'
export type {
  BrowseOptions,
  BrowseResult,
  BrowserStep,
  ButtonChooser,
  ConsentDecision,
  HeadlessBrowserOptions,
} from './browser/headless-browser.js'
export { BrowserError, chooseButton, HeadlessBrowser } from './browser/headless-browser.js'
export type { HeadlessOAuthClientOptions } from './browser/headless-oauth-client.js'
export {
  connectWithOAuth,
  HEADLESS_REDIRECT_URL,
  HeadlessOAuthClient,
} from './browser/headless-oauth-client.js'
export type { FormButton, HtmlForm } from './browser/html-form.js'
export {
  decodeEntities,
  pageText,
  parseAttributes,
  parseForms,
  parseMetaRefresh,
} from './browser/html-form.js'
export { FakeIdp, startFakeIdp } from './fake-idp/fake-idp.js'
export type { IssuedTokenResponse } from './fake-idp/fake-idp-grants.js'
export { FakeIdpGrants, pkceMatches } from './fake-idp/fake-idp-grants.js'
export type {
  FakeIdpEndpoint,
  FakeIdpFailure,
  FakeIdpOptions,
  FakeIdpRequest,
  FakeIdpUser,
} from './fake-idp/fake-idp-types.js'
