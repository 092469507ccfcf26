import { join } from 'node:path'
import { type BenchProcess, startNode, waitForPort } from '../harness/child-process.js'
import { freePort } from '../harness/free-port.js'
import { nodeArgs, REPO_DIR } from '../harness/node-command.js'
import { type BenchProject, createBenchProject } from './bench-project.js'
import type { StandInInfo } from './github-stand-in.js'

const CLI = join(REPO_DIR, 'apps', 'server', 'src', 'cli.ts')
const ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdef0123'

/** Who may call: nobody checked (`none`), or GitHub login with OAuth state in SQLite or in memory. */
export type MxcpAuthMode = 'none' | 'github-sqlite' | 'github-memory'

/** A running `mxcp serve` (the real command, from source) on its own bench project. */
export interface MxcpServer {
  readonly origin: string
  readonly mcpUrl: string
  readonly process: BenchProcess
  stop(): Promise<void>
}

/** Which `mxcp serve` to start. */
export interface MxcpServerOptions {
  /** Names the process in messages and its CPU profile. */
  readonly label: string
  readonly auth: MxcpAuthMode
  readonly github?: StandInInfo
  /** An existing OAuth database to serve (`github-sqlite`); default: a new one in the project. */
  readonly oauthDbPath?: string
  /**
   * `transport.http.base_url`: the server's external URL, hence its tokens' audience, whatever
   * port it listens on (for tokens minted before it starts). Default: each request's `Host`.
   */
  readonly baseUrl?: string
  /** `transport.http.stateless` (default true: no MCP session, every request on its own). */
  readonly stateless?: boolean
}

/** The profile's `auth` block, in the guide's format, secrets as `${VAR}`. */
function authBlock(options: MxcpServerOptions, oauthDbPath: string): object {
  if (options.auth === 'none') return { provider: 'none' }
  const github = options.github
  if (!github) throw new Error(`${options.label}: GitHub auth needs the stand-in`)
  return {
    provider: 'github',
    github: {
      client_id: '${GITHUB_CLIENT_ID}',
      client_secret: '${GITHUB_CLIENT_SECRET}',
      scope: 'user:email',
      auth_url: `${github.url}/login/oauth/authorize`,
      token_url: `${github.url}/login/oauth/access_token`,
      api_url: github.apiUrl,
    },
    // The per-IP limit on /register, /authorize and /token (60 a minute) would cap the login
    // figure at one a second: the bench measures the flow, not the limiter.
    rate_limit: { enabled: false },
    ...(options.auth === 'github-sqlite' && {
      persistence: { type: 'sqlite', path: oauthDbPath, encryption_key: '${MXCP_OAUTH_ENCRYPTION_KEY}' },
    }),
  }
}

/**
 * Starts `mxcp serve --project <bench project> --host 127.0.0.1 --port <free>`, stateless unless
 * `options.stateless` is false, its standard output (JSON log lines) to /dev/null.
 */
export async function startMxcpServer(options: MxcpServerOptions): Promise<MxcpServer> {
  const project: BenchProject = createBenchProject(options.label)
  const oauthDbPath = options.oauthDbPath ?? join(project.dir, 'oauth.db')
  const configPath = project.writeUserConfig('config', {
    mxcp: 1,
    projects: { bench: { profiles: { default: { auth: authBlock(options, oauthDbPath) } } } },
    transport: {
      provider: 'streamable-http',
      http: {
        // Stateless unless asked (figure 1's mode, set explicitly): no MCP session, every request on its own.
        stateless: options.stateless ?? true,
        ...(options.baseUrl !== undefined && { base_url: options.baseUrl }),
      },
    },
  })
  const port = await freePort()
  const child = startNode({
    name: options.label,
    args: [
      ...nodeArgs(CLI, { typescript: true, profileAs: options.label }),
      'serve',
      '--project',
      project.dir,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    env: {
      // No ~/.mxcp of the machine is ever read.
      HOME: project.dir,
      MXCP_CONFIG: configPath,
      GITHUB_CLIENT_ID: options.github?.clientId ?? '',
      GITHUB_CLIENT_SECRET: options.github?.clientSecret ?? '',
      MXCP_OAUTH_ENCRYPTION_KEY: ENCRYPTION_KEY,
    },
    stdout: 'ignore',
  })
  try {
    await waitForPort(child, port, options.label)
  } catch (error) {
    await child.stop()
    project.dispose()
    throw error
  }
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    mcpUrl: `${origin}/mcp`,
    process: child,
    async stop(): Promise<void> {
      await child.stop()
      project.dispose()
    },
  }
}

/** The key the bench servers seal upstream tokens with (for seeding their SQLite file). */
export const BENCH_ENCRYPTION_KEY = ENCRYPTION_KEY
