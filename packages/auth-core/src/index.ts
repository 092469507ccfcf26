/**
 * `@mxcp/auth-core`: what an app that registers the plugin needs: the plugin and its options,
 * the guard helpers, the configuration loader, the memory store and the store contract type, the
 * provider contract type, the caller's `UserContext`, and the error classes (recognised across
 * copies by their brand). Everything here is semver surface and is listed in the README.
 * Store authors import from `/store-kit`, provider authors from `/provider-kit`, servers built
 * around the plugin from `/server-kit`, tests from `/testing`.
 */

// The plugin, its options and the guard
export type { Clock } from './clock.js'
export { systemClock } from './clock.js'
// Configuration (MXCP's config.yml and mxcp-site.yml)
export type { AuthConfig, ClientConfig, ProviderBlocks, ScopeGrantRule } from './config/auth-schema.js'
export { ConfigError } from './config/config-error.js'
export { validateAuthConfig } from './config/load-auth.js'
export type { LoadConfigOptions, ResolvedConfig } from './config/load-config.js'
export { loadConfig } from './config/load-config.js'
export type { SiteConfig } from './config/site-schema.js'
export type { TransportConfig } from './config/transport-schema.js'
// Errors (each recognised by `instanceof` and `X.is()` across copies of this package)
export { UpstreamAccountRefusedError } from './errors/account-refused-error.js'
export { OAuthError } from './errors/oauth-error.js'
export {
  UpstreamError,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
} from './errors/upstream-error.js'
export type * from './events/auth-events.js'
export { BearerRejectedError } from './guard/bearer-rejected-error.js'
export type { MxcpGuard } from './guard/guard.js'
export { requireUser } from './guard/require-user.js'
export { SessionEndedError } from './guard/session-ended-error.js'
export type { UrlOptions } from './http/base-url.js'
export { mxcpRequestSerializer } from './http/log-redaction.js'
export type { TrustProxy } from './http/trusted-proxy.js'
export { fastifyTrustProxy } from './http/trusted-proxy.js'
export { UpstreamIdentityChangedError } from './identity/identity-changed-error.js'
export { mxcpAuth } from './plugin.js'
export type { MxcpAuthOptions } from './plugin-options.js'
// The identity provider, as the plugin receives it
export type {
  ProviderLog,
  ProviderRuntimeOptions,
  UpstreamProvider,
  UpstreamTokens,
  UpstreamUser,
} from './provider.js'
export type { ProviderDefinition } from './provider-kit/define-provider.js'
export { ProviderRegistry } from './provider-kit/provider-registry.js'
export { signingSecretFrom } from './signing-secret.js'
// Where OAuth state lives
export { MemoryStore } from './store/memory-store.js'
export type { OAuthStore } from './store/oauth-store.js'
export { StoreUnavailableError } from './store/oauth-store.js'
// The caller
export type { UserContext } from './user-context.js'
export { ANONYMOUS_USER } from './user-context.js'
