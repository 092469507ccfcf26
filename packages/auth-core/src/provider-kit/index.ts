/**
 * `@mxcp/auth-core/provider-kit`: what an identity-provider package is built from: the provider
 * contract, the OAuth 2.0 and OpenID Connect clients, the guarded upstream HTTP helpers, and the
 * identity rules every provider shares. Plugin users never need it.
 */
export type { Clock } from '../clock.js'
export { systemClock } from '../clock.js'
export type {
  AtlassianConfig,
  GitHubConfig,
  GoogleConfig,
  KeycloakConfig,
  OidcConfig,
  SalesforceConfig,
} from '../config/index.js'
export { assertProviderConfig } from '../config/index.js'
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
  ProviderFactory,
  ProviderLog,
  ProviderRuntimeOptions,
  UpstreamProvider,
  UpstreamTokens,
  UpstreamUser,
} from '../provider.js'
export { ProviderRegistry } from '../provider.js'
export { secureEndpointUrl } from '../upstream/endpoint-url.js'
export type { UpstreamHttpOptions } from '../upstream/http.js'
export { asRecord, readJson, stringField, throwIfOAuthError, upstreamFetch } from '../upstream/http.js'
export type { OAuth2ClientOptions, OAuth2ProviderConfig } from '../upstream/oauth2-client.js'
export { OAuth2Client } from '../upstream/oauth2-client.js'
export type { OidcUserMapping } from '../upstream/oidc-claims.js'
export { userFromOidcClaims } from '../upstream/oidc-claims.js'
export type { OidcClientOptions } from '../upstream/oidc-client.js'
export { OidcClient } from '../upstream/oidc-client.js'
export type { ClientAssertionKey } from '../upstream/private-key-jwt.js'
export { clientAssertionKey } from '../upstream/private-key-jwt.js'
export { readCappedText } from '../upstream/read-capped-body.js'
