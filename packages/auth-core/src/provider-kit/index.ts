/**
 * `@mxcp/auth-core/provider-kit`: what an identity-provider package is built from: the provider
 * contract and its declaration (`defineProvider`, `ProviderRegistry`), shared option schemas,
 * the OAuth 2.0 and OpenID Connect clients, the guarded upstream HTTP helpers, and the identity
 * rules every provider shares. Plugin users never need it.
 */
export type { Static, TObject } from 'typebox'
/** typebox's `Type`, for a provider's option schema: the copy core validates with. */
export { default as Type } from 'typebox'
export type { Clock } from '../clock.js'
export { systemClock } from '../clock.js'
export { ConfigError } from '../config/config-error.js'
export { safeEqual } from '../crypto.js'
export { UpstreamAccountRefusedError } from '../errors/account-refused-error.js'
export {
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
} from '../errors/upstream-error.js'
export { asciiLowerCase } from '../identity/identifiers.js'
export { verifiedEmail } from '../identity/verified-email.js'
export type {
  AuthorizationResponseIssuer,
  AuthorizationUrlParams,
  ProviderLog,
  ProviderRuntimeOptions,
  UpstreamProvider,
  UpstreamTokens,
  UpstreamUser,
} from '../provider.js'
export { secureEndpointUrl } from '../upstream/endpoint-url.js'
export type { UpstreamHttpOptions } from '../upstream/http.js'
export {
  asRecord,
  readJson,
  stringField,
  throwIfOAuthError,
  upstreamFetch,
  upstreamHttp,
} from '../upstream/http.js'
export type { OAuth2ClientOptions, OAuth2ProviderSettings } from '../upstream/oauth2-client.js'
export { OAuth2Client } from '../upstream/oauth2-client.js'
export type { OidcUserMapping } from '../upstream/oidc-claims.js'
export { userFromOidcClaims } from '../upstream/oidc-claims.js'
export type { OidcClientOptions } from '../upstream/oidc-client.js'
export { OidcClient } from '../upstream/oidc-client.js'
export type { OidcEndpointOverrides } from '../upstream/oidc-discovery.js'
export { decodeIdTokenClaims } from '../upstream/oidc-tokens.js'
export type { ClientAssertionKey } from '../upstream/private-key-jwt.js'
export { clientAssertionKey } from '../upstream/private-key-jwt.js'
export { readCappedText } from '../upstream/read-capped-body.js'
export { upstreamTransport } from '../upstream/upstream-transport.js'
export type {
  OAuth2ProviderParts,
  OAuth2ProviderSpec,
  OAuth2ProviderTools,
} from './define-oauth2-provider.js'
export { defineOAuth2Provider } from './define-oauth2-provider.js'
export type { OidcProviderConnection, OidcProviderSpec } from './define-oidc-provider.js'
export { defineOidcProvider } from './define-oidc-provider.js'
export type {
  CommonProviderOptions,
  ProviderBehaviour,
  ProviderConfig,
  ProviderDefinition,
  ProviderOptions,
  ProviderSettings,
  ProviderSpec,
} from './define-provider.js'
export { defineProvider, isProviderDefinition } from './define-provider.js'
export type { OidcProviderSettings } from './oidc-provider-client.js'
export { oidcProviderBehaviour, oidcProviderClient } from './oidc-provider-client.js'
export type { WithDefault } from './option-schemas.js'
export {
  clientCredentials,
  OIDC_STANDARD_SCOPE,
  oauth2Options,
  oidcOptions,
  oidcRequired,
  optionalString,
  stringWithDefault,
  withDefault,
} from './option-schemas.js'
export type { BlockCheck } from './provider-block.js'
export { ProviderRegistry } from './provider-registry.js'
export type { TokenRequest } from './token-grants.js'
export { tokenGrants } from './token-grants.js'
export type { YamlBlock, YamlKey } from './yaml-keys.js'
export { camelKey, yamlKey } from './yaml-keys.js'
