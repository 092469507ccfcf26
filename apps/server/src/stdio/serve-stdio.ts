import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { ResolvedConfig } from '@mxcp/auth-core'
import type { FastifyBaseLogger } from 'fastify'
import { createMcpServer } from '../mcp/create-mcp-server.js'
import { checkServeConfig } from '../server/check-serve-config.js'
import { openProjectCatalog } from '../server/project-catalog.js'
import type { ServeOverrides } from '../server/serve-options.js'
import { SERVER_VERSION } from '../version.js'
import { InFlightRequests } from './in-flight-requests.js'
import { localCaller } from './local-caller.js'

/** Options of {@link serveStdio}. */
export interface StdioServerOptions {
  readonly config: ResolvedConfig
  readonly overrides?: ServeOverrides | undefined
  /** Must write to standard error: standard output carries the protocol alone. */
  readonly logger: FastifyBaseLogger
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdin?: NodeJS.ReadableStream | undefined
  readonly stdout?: NodeJS.WritableStream | undefined
}

/** A stdio MCP server, serving until its input ends. */
export interface StdioServer {
  /** Resolves when the client has closed standard input (or {@link close} was called). */
  readonly closed: Promise<void>
  /** Lets the requests received so far be answered (10 s at most), then closes the server and DuckDB. */
  close(): Promise<void>
}

/**
 * `mxcp serve --transport stdio`: the same catalog as over HTTP (tools, resources, prompts, SQL
 * tools), over standard input and output, for a desktop client that starts the server itself.
 * No OAuth (MCP authorization spec: it does not apply to stdio); the caller is the local user.
 * Nothing but JSON-RPC messages is written to standard output.
 */
export async function serveStdio(options: StdioServerOptions): Promise<StdioServer> {
  const { config, logger } = options
  const overrides = options.overrides ?? {}
  // The same checks as every transport (and `mxcp config validate`): nothing opens before they pass.
  const checked = checkServeConfig(config, overrides)
  const caller = localCaller(config.transport.stdio, options.env)
  const { catalog, database } = await openProjectCatalog(config, overrides, checked, logger)
  const server = createMcpServer(
    catalog,
    { name: config.projectName, version: SERVER_VERSION },
    logger,
    caller,
  )
  const stdin = options.stdin ?? process.stdin
  const transport = new StdioServerTransport(
    stdin as typeof process.stdin,
    (options.stdout ?? process.stdout) as typeof process.stdout,
  )
  let closing: Promise<void> | undefined
  let markClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve
  })
  const inFlight = new InFlightRequests()
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Answer what was asked before the input ended (or the signal came), then stop.
      await inFlight.drained()
      await server.close().catch(() => {})
      await database.close()
      logger.info('stdio server stopped')
      markClosed()
    })()
    return closing
  }
  // The client ends the session by closing our standard input (MCP basic/transports, stdio).
  stdin.once('end', () => void close())
  stdin.once('close', () => void close())
  try {
    await server.connect(transport)
    inFlight.watch(transport)
  } catch (error) {
    await database.close()
    throw error
  }
  if (config.auth.provider !== 'none') {
    logger.warn(
      { provider: config.auth.provider },
      'auth.provider is not used over stdio: the caller is the local user (transport.stdio.user)',
    )
  }
  logger.info(
    { transport: 'stdio', user: caller.anonymous ? undefined : caller.username },
    'mxcp serving MCP on stdio',
  )
  return { closed, close }
}
