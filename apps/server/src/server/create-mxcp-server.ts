import type { ResolvedConfig } from '@mxcp/auth-core'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { setUpAuth } from '../auth/auth-setup.js'
import { mcpRoutes } from '../http/mcp-routes.js'
import { SSE_PATH, sseRoutes } from '../sse/sse-routes.js'
import { SERVER_VERSION } from '../version.js'
import { externalBaseUrl, ownOrigins, urlHost } from './base-url.js'
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
  const http = {
    ...config.transport.http,
    ...(overrides.host !== undefined && { host: overrides.host }),
    ...(overrides.port !== undefined && { port: overrides.port }),
    ...(overrides.stateless !== undefined && { stateless: overrides.stateless }),
  }
  const transport = overrides.transport ?? config.transport.provider
  if (transport === 'stdio') {
    throw new Error(
      'transport.provider "stdio" is not supported: this server speaks streamable-http and sse over HTTP; mxcp serve --transport stdio serves stdio (serveStdio)',
    )
  }
  const mcpPath = transport === 'sse' ? SSE_PATH : MCP_PATH
  const { catalog, database } = await openProjectCatalog(config, overrides)
  // Known for sure only once listening (port 0 picks one); computed once, not per request.
  let origins = ownOrigins(http, http.port)
  const app = Fastify({ loggerInstance: logger, bodyLimit: BODY_LIMIT_BYTES, trustProxy: http.trust_proxy })
  try {
    const auth = await setUpAuth(app, config, mcpPath)
    const routes = {
      catalog,
      identity: { name: config.projectName, version: SERVER_VERSION },
      userOf: auth.userOf,
      guard: auth.guard,
      ownOrigins: () => origins,
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
      const address = app.server.address()
      const port = address !== null && typeof address === 'object' ? address.port : http.port
      origins = ownOrigins(http, port)
      const url = `${externalBaseUrl(http, port)}${mcpPath}`
      app.log.info(
        { url, transport, listening: `http://${urlHost(http.host)}:${port}` },
        `mxcp serving MCP at ${url}`,
      )
      return url
    },
    close: () => app.close(),
  }
}
