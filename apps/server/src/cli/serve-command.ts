import type { ResolvedConfig } from '@mxcp/auth-core'
import type { FastifyBaseLogger } from 'fastify'
import { loadServerConfig } from '../auth/server-providers.js'
import { createLogger, flushLogger } from '../logging/create-logger.js'
import { createMxcpServer } from '../server/create-mxcp-server.js'
import { readonlyFromEnv } from '../server/environment.js'
import type { ServeOverrides } from '../server/serve-options.js'
import { serveStdio } from '../stdio/serve-stdio.js'
import { describeFailure } from './describe-failure.js'
import { processIo } from './output.js'
import type { ProjectSelection } from './parse-arguments.js'

/** Options of {@link serveCommand}. */
export interface ServeCommandOptions {
  readonly project: ProjectSelection
  readonly debug: boolean
  readonly overrides: ServeOverrides
}

/** What serve runs, whatever the transport. */
interface Running {
  close(): Promise<void>
}

/**
 * How long in-flight requests get to finish after SIGTERM before the process exits anyway, ms:
 * longer than any one request may take (a sign-in's deadline is 15 s by default, database calls
 * 5 s), shorter than the 30 s an orchestrator usually waits before SIGKILL.
 */
export const SHUTDOWN_DEADLINE_MS = 20_000

/** Stops `server` (in-flight requests finish, then the store and DuckDB close) and exits. */
function shutDown(server: Running, logger: FastifyBaseLogger, signal: NodeJS.Signals): void {
  logger.info({ signal }, 'shutting down: finishing in-flight requests')
  // Nothing is lost by exiting here: every state change is one transaction, committed or not.
  setTimeout(() => {
    logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'in-flight requests did not finish in time; exiting')
    process.exit(1)
  }, SHUTDOWN_DEADLINE_MS).unref()
  server.close().then(
    () => {
      logger.info('stopped')
      void flushLogger(logger).then(() => process.exit(0))
    },
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed')
      void flushLogger(logger).then(() => process.exit(1))
    },
  )
}

/**
 * `mxcp serve`: loads the configuration, composes the server and listens. On SIGINT or SIGTERM
 * it stops accepting requests, lets in-flight ones finish, closes the OAuth store and DuckDB,
 * and exits 0; a second signal, or `SHUTDOWN_DEADLINE_MS` passing, exits at once with 1. Returns 1 if start-up fails (every
 * problem printed), otherwise never returns before the process exits.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  let config: ResolvedConfig
  let overrides: ServeOverrides
  try {
    config = await loadServerConfig({
      projectDir: options.project.projectDir,
      profile: options.project.profile,
    })
    overrides = { ...options.overrides, readonly: options.overrides.readonly ?? readonlyFromEnv(process.env) }
  } catch (error) {
    processIo.err(describeFailure(error))
    return 1
  }
  const transport = overrides.transport ?? config.transport.provider
  // Over stdio, standard output carries the protocol alone: every log line goes to standard error.
  const logger = createLogger({
    debug: options.debug,
    ...(transport === 'stdio' && { destination: process.stderr }),
  })
  let running: Running | undefined
  let signalled: NodeJS.Signals | undefined
  // Installed before start-up: a signal that comes while DuckDB opens or the port binds must not
  // kill the process halfway; it stops the server as soon as start-up is done.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting without waiting')
      process.exit(1)
    }
    signalled = signal
    if (running) shutDown(running, logger, signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let server: Running | undefined
  try {
    if (transport === 'stdio') {
      const stdio = await serveStdio({ config, overrides, logger, env: process.env })
      server = stdio
      // The client closed our standard input: the session is over.
      void stdio.closed.then(() => process.exit(0))
    } else {
      // The one case that means "no authentication": said once, at start-up.
      if (config.userConfigPath === undefined)
        logger.warn(
          'no user config (~/.mxcp/config.yml or MXCP_CONFIG): authentication is off (auth provider none)',
        )
      const http = await createMxcpServer({ config, overrides, logger })
      server = http
      await http.listen()
    }
  } catch (error) {
    processIo.err(describeFailure(error))
    // A port already in use, say: release DuckDB and the store before exiting.
    await server?.close().catch(() => {})
    return 1
  }
  running = server
  if (signalled) shutDown(running, logger, signalled)
  return new Promise<number>(() => {})
}
