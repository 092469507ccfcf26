export { allowlistRefusal } from './access/allowlist.js'
export type { CanonicalId } from './access/identifier-match.js'
export { namesUser } from './access/identifier-match.js'
export { configuredScopes, grantableScopes, grantedScopes } from './access/scope-grants.js'
export { userAttributes } from './access/user-attributes.js'
export type { Clock } from './clock.js'
export { FakeClock, systemClock } from './clock.js'
export * from './config/index.js'
export { randomToken, safeEqual, sha256, sha256Base64Url } from './crypto.js'
export {
  ACCESS_TOKEN_PREFIX,
  AUTHORIZATION_CODE_PREFIX,
  CLIENT_SECRET_PREFIX,
  CONSENT_TTL_MS,
  DEFAULT_SCOPE,
  REFRESH_TOKEN_PREFIX,
  TRANSACTION_TTL_MS,
} from './defaults.js'
export { UpstreamAccountRefusedError } from './errors/account-refused-error.js'
export * from './errors/oauth-error.js'
export * from './errors/upstream-error.js'
export type * from './events/auth-events.js'
export type { PresentedBearer } from './guard/bearer-token.js'
export { hasQueryToken, readBearer } from './guard/bearer-token.js'
export type { ChallengeParams } from './guard/challenge.js'
export { bearerChallenge } from './guard/challenge.js'
export type { GuardOptions, MxcpGuard } from './guard/guard.js'
export { createAnonymousGuard, createGuard } from './guard/guard.js'
export { identityChange } from './guard/identity-pin.js'
export { SessionEndedError } from './guard/session-ended-error.js'
export type { SessionUser, SessionUsersOptions } from './guard/session-users.js'
export { SessionUsers } from './guard/session-users.js'
export type { ResolvedUrlOptions, UrlOptions } from './http/base-url.js'
export { isAllowedHost, normalizeBaseUrl, resolveBaseUrl, resolveUrlOptions } from './http/base-url.js'
export type { SerializableRequest } from './http/log-redaction.js'
export { mxcpRequestSerializer, redactUrl } from './http/log-redaction.js'
export type { TrustFunction, TrustProxy } from './http/trusted-proxy.js'
export { clientAddress, compileTrust, fastifyTrustProxy } from './http/trusted-proxy.js'
export {
  asciiLowerCase,
  comparableDomain,
  emailDomain,
  sameEmail,
  sameName,
  sameUserId,
} from './identity/identifiers.js'
export { UpstreamIdentityChangedError } from './identity/identity-changed-error.js'
export {
  boundedString,
  keepProfileClaims,
  MAX_CLAIM_LENGTH,
  PROFILE_CLAIMS,
} from './identity/profile-claims.js'
export { isVerifiedEmail, verifiedEmail } from './identity/verified-email.js'
export { canonicalResource, isSameResource } from './oauth/resource.js'
export { mxcpAuth } from './plugin.js'
export type { MxcpAuthOptions } from './plugin-options.js'
export type {
  AuthorizationResponseIssuer,
  AuthorizationUrlParams,
  ProviderLog,
  ProviderRuntimeOptions,
  UpstreamProvider,
  UpstreamTokens,
  UpstreamUser,
} from './provider.js'
export type { ProviderDefinition } from './provider-kit/define-provider.js'
export { defineProvider } from './provider-kit/define-provider.js'
export { ProviderRegistry } from './provider-kit/provider-registry.js'
export type { AuthorizationServerMetadata } from './server/metadata/authorization-server-metadata.js'
export { authorizationServerMetadata } from './server/metadata/authorization-server-metadata.js'
export type { ProtectedResourceMetadata } from './server/metadata/protected-resource-metadata.js'
export {
  protectedResourceMetadata,
  protectedResourceMetadataPath,
} from './server/metadata/protected-resource-metadata.js'
export { signingSecretFrom } from './signing-secret.js'
export { MemorySingleUse } from './store/memory-single-use.js'
export { MemoryStore } from './store/memory-store.js'
export type { OAuthStore } from './store/oauth-store.js'
export { StoreUnavailableError } from './store/oauth-store.js'
export type * from './store/records.js'
export type { KeyBinding } from './store/sealed-box.js'
export { bindKey, SealedBox, UnsealError, unlockKey } from './store/sealed-box.js'
export type { HasSingleUseRecords, SingleUseRecords, WindowCount } from './store/single-use-records.js'
export { singleUseRecordsOf } from './store/single-use-records.js'
export type { Revocation, SessionSummary, StoreAdmin } from './store/store-admin.js'
export { isLiveToken, matchesUser } from './store/store-admin.js'
export type { UpstreamClientAuthMethod } from './upstream/client-auth-method.js'
export { chooseClientAuthMethod, UPSTREAM_CLIENT_AUTH_METHODS } from './upstream/client-auth-method.js'
export { isLoopbackHost, secureEndpointUrl } from './upstream/endpoint-url.js'
export type { UpstreamHttpOptions } from './upstream/http.js'
export {
  asRecord,
  DEFAULT_UPSTREAM_TIMEOUT_MS,
  readJson,
  stringField,
  throwIfOAuthError,
  upstreamFetch,
} from './upstream/http.js'
export type { IdTokenClaims } from './upstream/id-token.js'
export { DEFAULT_ID_TOKEN_CLOCK_TOLERANCE_S, ID_TOKEN_ALGORITHMS } from './upstream/id-token.js'
export type { OAuth2ClientOptions, OAuth2ProviderSettings } from './upstream/oauth2-client.js'
export { OAuth2Client } from './upstream/oauth2-client.js'
export type { OidcUserMapping } from './upstream/oidc-claims.js'
export { userFromOidcClaims } from './upstream/oidc-claims.js'
export type { OidcClientOptions } from './upstream/oidc-client.js'
export { OidcClient } from './upstream/oidc-client.js'
export type { OidcDiscoveryOptions } from './upstream/oidc-discovery.js'
export { DEFAULT_DISCOVERY_TTL_MS, fetchOidcMetadata, OidcDiscovery } from './upstream/oidc-discovery.js'
export type { OidcProviderMetadata } from './upstream/oidc-metadata.js'
export { discoveryUrl, parseOidcMetadata } from './upstream/oidc-metadata.js'
export { nonceFromChallenge, nonceFromVerifier } from './upstream/oidc-nonce.js'
export type { ClientAssertionKey } from './upstream/private-key-jwt.js'
export { clientAssertionKey } from './upstream/private-key-jwt.js'
export { MAX_UPSTREAM_BODY_BYTES, readCappedText } from './upstream/read-capped-body.js'
export type { UserContext, UserContextFields } from './user-context.js'
export { ANONYMOUS_USER, createUserContext } from './user-context.js'
