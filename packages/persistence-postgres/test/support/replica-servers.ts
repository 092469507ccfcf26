import { randomBytes } from 'node:crypto'
import { type PathRouter, type ReplicaName, startPathRouter } from '@mxcp/testing/network/path-router'
import { copyExampleProject, MxcpReplica, writeUserConfig } from '@mxcp/testing/processes/mxcp-process'
import { GitHubStandIn, type GitHubStandInOptions } from '@mxcp/testing/stand-ins/github'
import { createDatabase, dropDatabase, TEST_KEY } from './database.js'

type Cleanup = () => Promise<unknown> | unknown

/** What {@link startReplicaPair} started; `close()` ends all of it and drops the database. */
export interface ReplicaPair {
  readonly github: GitHubStandIn
  /** The load balancer: the one external URL both replicas serve. */
  readonly router: PathRouter
  /** Each `mxcp serve` process by name. */
  readonly replicas: ReadonlyMap<ReplicaName, MxcpReplica>
  /** Where replica `name` itself listens, past the load balancer. */
  origin(name: ReplicaName): string
  close(): Promise<void>
}

export interface ReplicaPairOptions {
  readonly github?: GitHubStandInOptions
  /** The rules of `auth` beside the provider and the store: rate limits, the refresh grace period… */
  readonly auth: Record<string, unknown>
  /** `auth.persistence.pool_size` of each replica. */
  readonly poolSize: number
  /** The database URL as the replicas reach it (through a proxy, say); the URL itself by default. */
  readonly reachDatabase?: (url: string) => string
}

/**
 * Two real `mxcp serve` processes (A and B) on one PostgreSQL database of their own, created here,
 * behind a load balancer of ours that sends each request where a test says. Both have the same
 * configuration, as an operator deploys it: one external URL (the load balancer's), one database,
 * one key. They start at once on the empty database, so their migrations take turns.
 */
export async function startReplicaPair(options: ReplicaPairOptions): Promise<ReplicaPair> {
  const cleanups: Cleanup[] = []
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  }
  try {
    const github = await new GitHubStandIn(options.github).start()
    cleanups.push(() => github.close())
    const router = await startPathRouter()
    cleanups.push(() => router.close())
    const database = `mxcp_test_${randomBytes(6).toString('hex')}`
    const databaseUrl = await createDatabase(database)
    cleanups.push(() => dropDatabase(database))
    const env = {
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      MXCP_AUTH_DATABASE_URL: options.reachDatabase?.(databaseUrl) ?? databaseUrl,
      MXCP_AUTH_ENCRYPTION_KEY: TEST_KEY,
    }
    const auth = {
      provider: 'github',
      github: github.configBlock(),
      ...options.auth,
      persistence: {
        type: 'postgres',
        url: '${MXCP_AUTH_DATABASE_URL}',
        encryption_key: '${MXCP_AUTH_ENCRYPTION_KEY}',
        pool_size: options.poolSize,
      },
    }
    const userConfig = {
      mxcp: 1,
      transport: { http: { base_url: router.url } },
      projects: { demo: { profiles: { default: { auth } } } },
    }
    const replicas = new Map<ReplicaName, MxcpReplica>()
    for (const name of ['A', 'B'] as const) {
      const project = copyExampleProject()
      cleanups.push(() => project.dispose())
      const config = writeUserConfig(project.path, userConfig)
      const replica = new MxcpReplica(project.path, { ...env, HOME: project.path, MXCP_CONFIG: config })
      cleanups.push(() => replica.stop())
      replicas.set(name, replica)
    }
    const origins = new Map<ReplicaName, string>()
    for (const [name, replica] of replicas) {
      const where = await replica.origin
      origins.set(name, where)
      router.setReplica(name, where)
    }
    return {
      github,
      router,
      replicas,
      origin(name) {
        const where = origins.get(name)
        if (!where) throw new Error(`replica ${name} is not running`)
        return where
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
