import { ConfigError, fastifyTrustProxy, type ResolvedConfig } from '@mxcp/auth-core'
import { compileTrust, resolveUrlOptions } from '@mxcp/auth-core/server-kit'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { serverUrlOptions, setUpAuth } from '../auth/auth-setup.js'
import { hostCheck } from '../http/host-check.js'
import { mcpRoutes } from '../http/mcp-routes.js'
import { RequestLines } from '../logging/request-lines.js'
import { HEALTH_PATHS, registerHealthRoutes } from '../observability/health-routes.js'
import { type Observability, setUpObservability } from '../observability/observability-setup.js'
import { observePool } from '../observability/observed-pool.js'
import { readinessChecks } from '../observability/readiness-checks.js'
import { newRequestId } from '../observability/request-id.js'
import { SSE_PATH, sseRoutes } from '../sse/sse-routes.js'
import { SERVER_VERSION } from '../version.js'
import { externalBaseUrl, ownOrigins, urlHost, WILDCARD_HOSTS } from './base-url.js'
import { checkServeConfig } from './check-serve-config.js'
import { resolveHttpTimeouts, serverWithTimeouts } from './http-timeouts.js'
import { openProjectCatalog } from './project-catalog.js'
import type { ServeOverrides } from './serve-options.js'

/** Options of {@link createMxcpServer}. */
export interface MxcpServerOptions {
  /** From `loadConfig()` of `@mxcp/auth-core`. */
  readonly config: ResolvedConfig
  readonly overrides?: ServeOverrides | undefined
  /** A pino logger, e.g. from `createLogger()`. */
  readonly logger: FastifyBaseLogger
}

/** A composed, not yet listening, MCP server. */
export interface MxcpServer {
  readonly app: FastifyInstance
  /** Starts listening; resolves with the MCP endpoint's URL. */
  listen(): Promise<string>
  /** Lets in-flight requests finish, then closes the HTTP server, the OAuth store and DuckDB. */
  close(): Promise<void>
}

/** Where MCP is served. */
export const MCP_PATH = '/mcp'

/** Requests larger than this are refused (413) before they reach the MCP transport. */
export const BODY_LIMIT_BYTES = 1024 * 1024

/**
 * Composes the `mxcp` HTTP server: the project's YAML definitions (checked first, so a mistake
 * stops start-up with every problem listed), DuckDB with the caller bound on every query,
 * authentication as `auth.provider` says, and MCP over streamable HTTP on `/mcp` (MCP sessions
 * unless `stateless`), or over the legacy HTTP+SSE transport (`GET /sse`, `POST /messages`)
 * when the transport is `sse`. The `stdio` transport has no HTTP server: see `serveStdio()`.
 */
export async function createMxcpServer(options: MxcpServerOptions): Promise<MxcpServer> {
  const { config, logger } = options
  const overrides = options.overrides ?? {}
  // The same checks `mxcp config validate` runs (one code path): nothing is opened before they pass.
  const checked = checkServeConfig(config, overrides)
  const { http, transport } = checked
  if (transport === 'stdio') {
    throw new ConfigError(
      'transport.provider: "stdio" is not supported: this server speaks streamable-http and sse over HTTP; mxcp serve --transport stdio serves stdio (serveStdio)',
    )
  }
  const mcpPath = transport === 'sse' ? SSE_PATH : MCP_PATH
  const timeouts = resolveHttpTimeouts(overrides.httpTimeouts)
  // Known for sure only once listening (port 0 picks one); computed once, not per request.
  let origins = ownOrigins(http, http.port)
  let observability: Observability | undefined
  const { catalog, database } = await openProjectCatalog(config, overrides, checked, logger, (pool) =>
    observePool(pool, () => observability?.metrics),
  )
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // `true` in the configuration is one hop (the nearest peer is the proxy), not Fastify's "every hop".
    trustProxy: fastifyTrustProxy(http.trust_proxy),
    serverFactory: serverWithTimeouts(timeouts),
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    genReqId: newRequestId,
    logController: new RequestLines(),
  })
  try {
    observability = setUpObservability(app, config)
    // Without base_url, only known host names are answered, on every route (DNS rebinding); the
    // probes of a load balancer (which sends its own idea of Host) answer a status word, nothing more.
    if (!http.base_url) {
      const checkHost = hostCheck(resolveUrlOptions(serverUrlOptions(http, http.host), compileTrust))
      app.addHook('onRequest', function checkHostUnlessProbe(request, reply, done) {
        if (HEALTH_PATHS.has(request.url)) return done()
        return checkHost.call(this, request, reply, done)
      })
    }
    const auth = await setUpAuth(app, config, mcpPath, http.host, observability)
    registerHealthRoutes(app, readinessChecks(auth.store, database.pool))
    const routes = {
      catalog: observability.observeCatalog(catalog),
      identity: { name: config.projectName, version: SERVER_VERSION },
      userOf: auth.userOf,
      guard: auth.guard,
      ownOrigins: () => origins,
      sessionLimits: overrides.sessionLimits,
    }
    if (transport === 'sse') await app.register(sseRoutes, routes)
    else await app.register(mcpRoutes, { ...routes, path: MCP_PATH, stateless: http.stateless })
    // Runs once the HTTP server has closed, i.e. after the last in-flight request.
    app.addHook('onClose', async () => database.close())
  } catch (error) {
    await database.close()
    throw error
  }
  return {
    app,
    async listen(): Promise<string> {
      await app.listen({ host: http.host, port: http.port })
      const metricsPort = await observability?.listen()
      if (metricsPort !== undefined) app.log.info({ metricsPort }, 'metrics listening')
      const address = app.server.address()
      const port = address !== null && typeof address === 'object' ? address.port : http.port
      origins = ownOrigins(http, port)
      const url = `${externalBaseUrl(http, port)}${mcpPath}`
      app.log.info(
        { url, transport, listening: `http://${urlHost(http.host)}:${port}` },
        `mxcp serving MCP at ${url}`,
      )
      if (!http.base_url && WILDCARD_HOSTS.has(http.host) && http.allowed_hosts.length === 0)
        app.log.warn(
          'listening on every interface without base_url or allowed_hosts: only loopback host names are answered',
        )
      return url
    },
    close: () => app.close(),
  }
}
