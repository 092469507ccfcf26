import { join } from 'node:path'
import type { ResolvedConfig } from '@mxcp/auth-core'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { setUpAuth } from '../auth/auth-setup.js'
import { loadDefinitions } from '../definitions/load-definitions.js'
import { openDatabase } from '../duckdb/open-database.js'
import { mcpRoutes } from '../http/mcp-routes.js'
import { buildCatalog } from '../mcp/build-catalog.js'
import { BUILTIN_SQL_TOOL_NAMES } from '../mcp/builtin-sql-tools.js'
import { registerHealthRoutes } from '../observability/health-routes.js'
import { type Observability, setUpObservability } from '../observability/observability-setup.js'
import { readinessChecks } from '../observability/readiness-checks.js'
import { newRequestId } from '../observability/request-id.js'
import { SERVER_VERSION } from '../version.js'
import { externalBaseUrl, ownOrigins, urlHost } from './base-url.js'
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

/** The seed SQL a project may hold: run at start-up, so it must be safe to run again. */
export const SEED_FILE = 'seed.sql'

/**
 * Composes the `mxcp` server: the project's YAML definitions (checked first, so a mistake stops
 * start-up with every problem listed), DuckDB with the caller bound on every query,
 * authentication as `auth.provider` says, and MCP over streamable HTTP on `/mcp`.
 */
export async function createMxcpServer(options: MxcpServerOptions): Promise<MxcpServer> {
  const { config, logger } = options
  const overrides = options.overrides ?? {}
  const http = {
    ...config.transport.http,
    ...(overrides.host !== undefined && { host: overrides.host }),
    ...(overrides.port !== undefined && { port: overrides.port }),
    ...(overrides.stateless !== undefined && { stateless: overrides.stateless }),
  }
  if (config.transport.provider !== 'streamable-http') {
    throw new Error(
      `transport.provider "${config.transport.provider}" is not supported: this server speaks streamable-http`,
    )
  }
  const sqlTools = overrides.sqlTools ?? config.site.sql_tools.enabled
  const definitions = loadDefinitions({
    projectDir: config.projectDir,
    paths: config.site.paths,
    reservedToolNames: sqlTools ? BUILTIN_SQL_TOOL_NAMES : [],
  })
  // Known for sure only once listening (port 0 picks one); computed once, not per request.
  let origins = ownOrigins(http, http.port)
  const database = await openDatabase({
    path: config.duckdbPath,
    readonly: overrides.readonly ?? config.duckdbReadonly,
    projectDir: config.projectDir,
    seedFile: join(config.projectDir, config.site.paths.data, SEED_FILE),
  })
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: http.trust_proxy,
    genReqId: newRequestId,
  })
  let observability: Observability
  try {
    observability = setUpObservability(app, config)
    const auth = await setUpAuth(app, config, MCP_PATH, observability)
    registerHealthRoutes(app, readinessChecks(auth.store, database.pool))
    const pool = observability.observePool(database.pool)
    await app.register(mcpRoutes, {
      catalog: observability.observeCatalog(buildCatalog({ definitions, pool, sqlTools })),
      identity: { name: config.projectName, version: SERVER_VERSION },
      userOf: auth.userOf,
      guard: auth.guard,
      path: MCP_PATH,
      stateless: http.stateless,
      ownOrigins: () => origins,
    })
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
      const metricsPort = await observability.listen()
      if (metricsPort !== undefined) app.log.info({ metricsPort }, 'metrics listening')
      const address = app.server.address()
      const port = address !== null && typeof address === 'object' ? address.port : http.port
      origins = ownOrigins(http, port)
      const url = `${externalBaseUrl(http, port)}${MCP_PATH}`
      app.log.info({ url, listening: `http://${urlHost(http.host)}:${port}` }, `mxcp serving MCP at ${url}`)
      return url
    },
    close: () => app.close(),
  }
}
