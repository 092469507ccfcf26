import pino from 'pino'
import { loadServerConfig } from '../../src/auth/server-providers.js'
import { createMxcpServer, type MxcpServer } from '../../src/server/create-mxcp-server.js'
import type { ServeOverrides } from '../../src/server/serve-options.js'

/** A server composed in this process, listening on a free loopback port. */
export interface RunningServer {
  readonly server: MxcpServer
  readonly url: string
  close(): Promise<void>
}

/**
 * Composes the server for `projectDir` as `mxcp serve` would (with `userConfigPath` as the user
 * configuration, or none: auth `none`) and listens on 127.0.0.1, port 0.
 */
export async function startInProcess(options: {
  projectDir: string
  userConfigPath?: string
  env?: Record<string, string | undefined>
  overrides?: ServeOverrides
}): Promise<RunningServer> {
  const config = await loadServerConfig({
    projectDir: options.projectDir,
    env: options.env ?? {},
    ...(options.userConfigPath !== undefined && { userConfigPath: options.userConfigPath }),
    // No ~/.mxcp/config.yml of the machine running the tests is ever read.
    homeDir: options.projectDir,
  })
  const server = await createMxcpServer({
    config,
    logger: pino({ level: 'silent' }),
    overrides: { host: '127.0.0.1', port: 0, ...options.overrides },
  })
  const url = await server.listen()
  return { server, url, close: () => server.close() }
}
