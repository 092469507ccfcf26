export type { Clock } from './clock.js'
export { FakeClock, systemClock } from './clock.js'
export * from './config/index.js'
export { randomToken, safeEqual, sha256, sha256Base64Url } from './crypto.js'
export * from './errors/oauth-error.js'
export * from './errors/upstream-error.js'
export type {
  AuthorizationUrlParams,
  ProviderFactory,
  ProviderRuntimeOptions,
  UpstreamProvider,
  UpstreamTokens,
  UpstreamUser,
} from './provider.js'
export { ProviderRegistry } from './provider.js'
export { MemoryStore } from './store/memory-store.js'
export type { OAuthStore } from './store/oauth-store.js'
export { StoreUnavailableError } from './store/oauth-store.js'
export type * from './store/records.js'
export type { UpstreamHttpOptions } from './upstream/http.js'
export { asRecord, DEFAULT_UPSTREAM_TIMEOUT_MS, readJson, stringField, throwIfOAuthError, upstreamFetch } from './upstream/http.js'
export type { OAuth2ClientOptions } from './upstream/oauth2-client.js'
export { OAuth2Client } from './upstream/oauth2-client.js'
export type { UserContext, UserContextFields } from './user-context.js'
export { ANONYMOUS_USER, createUserContext } from './user-context.js'
