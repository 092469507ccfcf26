import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { type RegisteredClient, registerClient } from '../browser/oauth-steps.js'
import { type PathRouter, startPathRouter } from '../network/path-router.js'
import { copyExampleProject, MxcpReplica, writeUserConfig } from '../processes/mxcp-process.js'
import { GitHubStandIn } from '../stand-ins/github.js'

/** The PostgreSQL the tests use (CI: `test`; locally each engineer has their own database). */
export const DATABASE_URL = process.env['MXCP_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
export const ENCRYPTION_KEY = 'fault-suite-encryption-key-0123456789abcdef'

/** The GitHub user the stand-in logs in. */
const ADA = {
  id: 1815,
  login: 'ada',
  name: 'Ada Lovelace',
  email: null,
  emails: [{ email: 'ada@example.com', primary: true, verified: true, visibility: 'private' as const }],
  orgs: ['analytical-engines'],
}

export interface RigOptions {
  /** `auth.persistence` of the profile: SQLite (a file in the project) or PostgreSQL at `url`. */
  readonly persistence: { type: 'sqlite' } | { type: 'postgres'; url: string }
  /** More keys of the `auth` block (cache_ttl, sign_in_timeout, …). */
  readonly auth?: Record<string, unknown>
  /** The stand-in's `slow` delay, ms. */
  readonly slowMs?: number
}

/**
 * One `mxcp serve` process behind a load balancer of ours (its URL is the server's `base_url`, so
 * a restarted process on another port is the same server to clients), signing in with the GitHub
 * stand-in. `restart()` starts a new process on the same project and database.
 */
export class Rig {
  readonly github: GitHubStandIn
  readonly router: PathRouter
  readonly #project: { path: string; dispose(): void }
  readonly #env: Record<string, string>
  #server: MxcpReplica | undefined
  #client: RegisteredClient | undefined

  private constructor(github: GitHubStandIn, router: PathRouter, options: RigOptions) {
    this.github = github
    this.router = router
    this.#project = copyExampleProject()
    const persistence =
      options.persistence.type === 'sqlite'
        ? { type: 'sqlite', path: join(this.#project.path, 'oauth.db'), encryption_key: ENCRYPTION_KEY }
        : { type: 'postgres', url: options.persistence.url, encryption_key: ENCRYPTION_KEY, pool_size: 4 }
    const config = writeUserConfig(this.#project.path, {
      mxcp: 1,
      transport: { http: { base_url: router.url } },
      projects: {
        demo: {
          profiles: {
            default: {
              auth: {
                provider: 'github',
                github: {
                  client_id: github.clientId,
                  client_secret: github.clientSecret,
                  scope: 'user:email',
                  auth_url: `${github.url}/login/oauth/authorize`,
                  token_url: `${github.url}/login/oauth/access_token`,
                  api_url: github.apiUrl,
                },
                rate_limit: { enabled: false },
                persistence,
                ...options.auth,
              },
            },
          },
        },
      },
    })
    this.#env = { HOME: this.#project.path, MXCP_CONFIG: config }
  }

  static async start(options: RigOptions): Promise<Rig> {
    const github = await new GitHubStandIn({ user: ADA, slowMs: options.slowMs ?? 2_000 }).start()
    const router = await startPathRouter()
    const rig = new Rig(github, router, options)
    await rig.restart()
    return rig
  }

  /** The MCP endpoint as clients know it (the RFC 8707 resource). */
  get mcpUrl(): string {
    return `${this.router.url}/mcp`
  }

  /** One public client registered once, as an MCP client keeps its registration. */
  async client(): Promise<RegisteredClient> {
    this.#client ??= await registerClient(this.router.url)
    return this.#client
  }

  get server(): MxcpReplica {
    if (!this.#server) throw new Error('no server is running')
    return this.#server
  }

  /** Starts a new `mxcp serve` (after a kill or a stop) and routes every request to it. */
  async restart(): Promise<void> {
    this.#server = new MxcpReplica(this.#project.path, this.#env)
    this.router.setReplica('A', await this.#server.origin)
  }

  async close(): Promise<void> {
    await this.#server?.stop()
    await Promise.all([this.github.close(), this.router.close()])
    this.#project.dispose()
  }
}

/** What `createDatabase` needs of node-postgres' default export. */
export interface PgModule {
  Client: new (config: {
    connectionString: string
  }) => { connect(): Promise<unknown>; query(text: string): Promise<unknown>; end(): Promise<void> }
}

/**
 * A database of its own for one test file or soak, created through the admin connection and
 * dropped after. `pg` is the caller's (this package does not depend on it).
 */
export async function createDatabase(pg: PgModule): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mxcp_fault_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(DATABASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}
