/**
 * `@mxcp/auth-core/server-kit`: for a server built around the plugin (the reference `mxcp`
 * server): its URL and proxy rules (so the MCP routes agree with the plugin on the external URL
 * and the caller's address), log redaction, a caller for local transports (stdio), and the store
 * administration the CLI uses. An app that only registers the plugin never needs it.
 */

export { AuthConfigSchema } from '../config/auth-schema.js'
export { providerBlock } from '../config/load-auth.js'
export { parseUserConfig } from '../config/load-config.js'
export type { ChallengeParams } from '../guard/challenge.js'
export { bearerChallenge } from '../guard/challenge.js'
export type { ResolvedUrlOptions } from '../http/base-url.js'
export { isAllowedHost, normalizeBaseUrl, resolveBaseUrl, resolveUrlOptions } from '../http/base-url.js'
export type { SerializableRequest } from '../http/log-redaction.js'
export { redactUrl } from '../http/log-redaction.js'
export type { TrustFunction } from '../http/trusted-proxy.js'
export { clientAddress, compileTrust } from '../http/trusted-proxy.js'
export { canonicalResource } from '../oauth/resource.js'
export type { AuthorizationServerMetadata } from '../server/metadata/authorization-server-metadata.js'
export type { ProtectedResourceMetadata } from '../server/metadata/protected-resource-metadata.js'
export { protectedResourceMetadataPath } from '../server/metadata/protected-resource-metadata.js'
export type { ClientRecord } from '../store/records.js'
export type { Revocation, SessionSummary, StoreAdmin } from '../store/store-admin.js'
export { isLiveToken, matchesUser } from '../store/store-admin.js'
export { isLoopbackHost } from '../upstream/endpoint-url.js'
export type { UserContextFields } from '../user-context.js'
export { createUserContext } from '../user-context.js'
