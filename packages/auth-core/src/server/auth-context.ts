import type { FastifyRequest } from 'fastify'
import type { ClientDirectory } from '../clients/client-directory.js'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/index.js'
import type { AuthEventSink } from '../events/auth-events.js'
import type { SessionUsers } from '../guard/session-users.js'
import { type ResolvedUrlOptions, resolveBaseUrl } from '../http/base-url.js'
import { canonicalResource } from '../oauth/resource.js'
import type { UpstreamProvider } from '../provider.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { SingleUseRecords } from '../store/single-use-records.js'

/** Everything the endpoints share, resolved once at registration. */
export interface AuthContext {
  readonly auth: AuthConfig
  readonly provider: UpstreamProvider
  readonly store: OAuthStore
  readonly clients: ClientDirectory
  readonly clock: Clock
  /** HMAC key for the consent CSRF token. */
  readonly secret: Buffer
  readonly urls: ResolvedUrlOptions
  readonly mcpPath: string
  /** The registration prefix of the OAuth routes ('' or like `/oauth`); part of the issuer. */
  readonly prefix: string
  /** Every scope we know: advertised in metadata, and what a client may register. */
  readonly supportedScopes: readonly string[]
  /** The guard's user-context cache: the callback primes it with the user it just fetched. */
  readonly sessionUsers: SessionUsers
  /** Single-use records and counters: the store's (shared by replicas) or per process. */
  readonly once: SingleUseRecords
  /** Where sign-in, token and registration events go (an audit trail); undefined: nowhere. */
  readonly events?: AuthEventSink | undefined
}

/** The issuer and the other URLs of one request, all derived from one base URL. */
export interface RequestUrls {
  /** The issuer (RFC 8414 §2): the base URL and the registration prefix, no trailing slash. */
  readonly issuer: string
  /** The canonical MCP URL: the audience of our tokens (RFC 8707). */
  readonly resource: string
  /** Our redirect URI towards the identity provider. */
  readonly upstreamCallback: string
}

/** The URLs for `request` (see `resolveBaseUrl` for how the base is found). */
export function requestUrls(context: AuthContext, request: FastifyRequest): RequestUrls {
  const base = resolveBaseUrl(request, context.urls)
  const issuer = `${base}${context.prefix}`
  return {
    issuer,
    resource: canonicalResource(base, context.mcpPath),
    upstreamCallback: `${issuer}${context.provider.callbackPath}`,
  }
}
