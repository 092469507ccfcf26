import fastifyCookie from '@fastify/cookie'
import fastifyFormbody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { configuredScopes } from './access/scope-grants.js'
import { ClientDirectory } from './clients/client-directory.js'
import { ClientLeases } from './clients/client-lease.js'
import { preRegisteredClients } from './clients/pre-registered-clients.js'
import { DEFAULT_SCOPE, SWEEP_INTERVAL_MS } from './defaults.js'
import { createAnonymousGuard, createGuard, type GuardOptions, type MxcpGuard } from './guard/guard.js'
import { SessionUsers } from './guard/session-users.js'
import { limitBodySize } from './http/body-limit.js'
import { allowCrossOrigin } from './http/cors.js'
import { limitRequestRate, type RateLimitOptions } from './http/rate-limit.js'
import { type MxcpAuthOptions, type ResolvedOptions, resolveOptions } from './plugin-options.js'
import type { UpstreamProvider } from './provider.js'
import type { AuthContext } from './server/auth-context.js'
import { registerAuthorizeRoute } from './server/authorize/authorize-route.js'
import { registerCallbackRoute } from './server/callback/callback-route.js'
import { ClientMetadataResolver } from './server/client-metadata/client-metadata-resolver.js'
import { registerConsentRoute } from './server/consent/consent-route.js'
import { htmlErrorHandler } from './server/html-errors.js'
import { jsonErrorHandler } from './server/json-errors.js'
import { authorizationServerMetadataPath } from './server/metadata/authorization-server-metadata.js'
import { BARE_RESOURCE_METADATA_PATH, registerMetadataRoutes } from './server/metadata/metadata-routes.js'
import { protectedResourceMetadataPath } from './server/metadata/protected-resource-metadata.js'
import { registerRegisterRoute } from './server/register/register-route.js'
import { registerRevokeRoute } from './server/revoke/revoke-route.js'
import { sweepOnce } from './server/sweep.js'
import { registerTokenRoute } from './server/token/token-route.js'
import { MemorySingleUse } from './store/memory-single-use.js'
import { singleUseRecordsOf } from './store/single-use-records.js'
import type { UserContext } from './user-context.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The bearer guard, an `onRequest` hook: `scope.addHook('onRequest', scope.mxcpGuard)`.
     * Answers 401/403 (RFC 6750, RFC 9728), else sets `request.user`.
     */
    mxcpGuard: MxcpGuard
    /**
     * The same check as an authentication strategy for `@fastify/auth`
     * (`app.auth([app.mxcpVerify, …])`): sets `request.user`, or throws a `BearerRejectedError`
     * (status, `WWW-Authenticate`) so that `@fastify/auth` can try the next strategy.
     */
    mxcpVerify: MxcpGuard
  }
  interface FastifyRequest {
    /**
     * The caller, set by `mxcpGuard` (`ANONYMOUS_USER` with provider `none`); null on routes
     * without the guard. On a guarded route, `requireUser(request)` returns it typed non-null.
     */
    user: UserContext | null
  }
}

function buildContext(
  resolved: ResolvedOptions,
  provider: UpstreamProvider,
  app: FastifyInstance,
  clientMetadataCa: MxcpAuthOptions['clientMetadataCa'],
  sessionUsers: SessionUsers,
  events?: MxcpAuthOptions['events'],
): AuthContext {
  const preRegistered = preRegisteredClients(resolved.auth.clients)
  // Single use across replicas (issue 15): the store's records when it has them.
  const once = singleUseRecordsOf(resolved.store) ?? new MemorySingleUse()
  const requiredScopes = resolved.auth.authorization.required_scopes
  const supportedScopes = [
    ...new Set([
      DEFAULT_SCOPE,
      ...requiredScopes,
      ...[...preRegistered.values()].flatMap((client) => client.scopes),
      ...configuredScopes(resolved.auth.authorization),
    ]),
  ]
  // Client ID Metadata Documents (`auth.client_metadata`): URL client_ids, resolved by fetching them.
  const metadataDocuments = new ClientMetadataResolver({
    config: resolved.auth.client_metadata,
    clock: resolved.clock,
    scopes: { supported: supportedScopes, required: requiredScopes },
    ca: typeof clientMetadataCa === 'string' ? [clientMetadataCa] : clientMetadataCa,
    log: app.log,
    records: once,
  })
  const leases = new ClientLeases(once, resolved.clock, {
    unprovenSeconds: resolved.auth.unproven_client_ttl,
    unusedSeconds: resolved.auth.registered_client_ttl,
  })
  const clients = new ClientDirectory(preRegistered, resolved.store, metadataDocuments, leases)
  return {
    auth: resolved.auth,
    provider,
    store: resolved.store,
    clients,
    clock: resolved.clock,
    secret: resolved.secret,
    urls: resolved.urls,
    mcpPath: resolved.mcpPath,
    prefix: resolved.prefix,
    supportedScopes,
    sessionUsers,
    once,
    events,
  }
}

function rateLimitOptions(context: AuthContext): RateLimitOptions {
  return {
    extraPaths: [context.provider.callbackPath],
    trust: context.urls.trust,
    records: context.once,
    clock: context.clock,
  }
}

/**
 * Form parsing (and cookies, for the browser pages) inside one of our scopes only: the host app's
 * own routes parse neither. A scope that inherits them from the host (it registered them itself)
 * uses the host's.
 */
async function registerParsers(scope: FastifyInstance, cookies: boolean): Promise<void> {
  if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) await scope.register(fastifyFormbody)
  if (cookies && !scope.hasDecorator('parseCookie')) await scope.register(fastifyCookie)
}

/** The browser-facing routes, under the prefix: errors become HTML pages, never redirects. */
async function registerBrowserRoutes(app: FastifyInstance, context: AuthContext): Promise<void> {
  await app.register(
    async (scope) => {
      await registerParsers(scope, true)
      scope.setErrorHandler(htmlErrorHandler)
      limitBodySize(scope)
      await limitRequestRate(scope, context.auth.rate_limit, rateLimitOptions(context))
      registerAuthorizeRoute(scope, context)
      registerConsentRoute(scope, context)
      registerCallbackRoute(scope, context)
    },
    { prefix: context.prefix },
  )
}

/** The JSON endpoints, under the prefix: RFC 6749 §5.2 errors, CORS for browser-based clients. */
async function registerJsonRoutes(app: FastifyInstance, context: AuthContext): Promise<void> {
  await app.register(
    async (scope) => {
      await registerParsers(scope, false)
      scope.setErrorHandler(jsonErrorHandler)
      limitBodySize(scope)
      await limitRequestRate(scope, context.auth.rate_limit, rateLimitOptions(context))
      allowCrossOrigin(scope, ['/token', '/register', '/revoke'])
      registerTokenRoute(scope, context)
      registerRegisterRoute(scope, context)
      registerRevokeRoute(scope, context)
    },
    { prefix: context.prefix },
  )
}

/**
 * The metadata documents, at the well-known paths of the host (RFC 8414 §3.1 and RFC 9728 §3.1
 * insert the issuer's or resource's path after `/.well-known/…`, so they are never under the
 * prefix): JSON errors, CORS.
 */
async function registerMetadata(app: FastifyInstance, context: AuthContext): Promise<void> {
  await app.register(async (scope) => {
    scope.setErrorHandler(jsonErrorHandler)
    allowCrossOrigin(scope, [
      authorizationServerMetadataPath(context.prefix),
      ...(context.prefix === '' ? [BARE_RESOURCE_METADATA_PATH] : []),
      protectedResourceMetadataPath(context.mcpPath),
    ])
    registerMetadataRoutes(scope, context)
  })
}

/** Sweeps expired store rows and stale cache entries on an unref'd timer, stopped on close. */
function scheduleSweep(
  app: FastifyInstance,
  resolved: ResolvedOptions,
  users: SessionUsers,
  context: AuthContext,
): void {
  const timer = setInterval(() => {
    const now = resolved.clock.now()
    users.prune(now)
    void sweepOnce(context, resolved.store, app.log, now)
  }, SWEEP_INTERVAL_MS)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    if (resolved.ownsStore) await resolved.store.close()
  })
}

async function mxcpAuthPlugin(app: FastifyInstance, options: MxcpAuthOptions): Promise<void> {
  const resolved = resolveOptions(options, app.log)
  if (app.hasRequestDecorator('user')) {
    throw new Error(
      'mxcpAuth: request.user is already decorated by another plugin (for example @fastify/jwt or passport)',
    )
  }
  app.decorateRequest('user', null)
  const provider = resolved.provider
  if (!provider) {
    // Provider `none` (the guide's default): no OAuth routes at all; everyone is anonymous.
    app.decorate('mxcpGuard', createAnonymousGuard())
    app.decorate('mxcpVerify', createAnonymousGuard())
    if (resolved.ownsStore) app.addHook('onClose', async () => resolved.store.close())
    return
  }
  const users = new SessionUsers({
    store: resolved.store,
    provider,
    clock: resolved.clock,
    ttlMs: resolved.auth.cache_ttl * 1000,
    staleMs: resolved.auth.stale_cache_ttl * 1000,
    authorization: resolved.auth.authorization,
    log: app.log,
    refreshSkewMs: resolved.auth.upstream_refresh_skew_seconds * 1000,
  })
  const context = buildContext(resolved, provider, app, options.clientMetadataCa, users, options.events)
  const guardOptions: GuardOptions = {
    store: resolved.store,
    provider,
    clock: resolved.clock,
    urls: resolved.urls,
    mcpPath: resolved.mcpPath,
    requiredScopes: resolved.auth.authorization.required_scopes,
    users,
    authorization: resolved.auth.authorization,
  }
  app.decorate('mxcpGuard', createGuard(guardOptions))
  app.decorate('mxcpVerify', createGuard({ ...guardOptions, onRefusal: 'throw' }))
  await registerMetadata(app, context)
  await registerBrowserRoutes(app, context)
  await registerJsonRoutes(app, context)
  scheduleSweep(app, resolved, users, context)
}

/**
 * The MXCP authentication plugin: the OAuth 2.1 authorization server (RFC 8414 and RFC 9728
 * metadata, `/authorize` with our consent page, the provider callback, `/token`, RFC 7591
 * `/register`, RFC 7009 `/revoke`) and the `mxcpGuard` hook that protects any route.
 */
export const mxcpAuth = fp(mxcpAuthPlugin, { fastify: '5.x', name: '@mxcp/auth-core' })
