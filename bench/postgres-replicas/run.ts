/**
 * Two `mxcp serve` replicas on PostgreSQL beside one `mxcp serve` on SQLite: complete logins per
 * second and authenticated calls per second, through a round-robin balancer.
 *
 *   node --conditions=@mxcp/source --import tsx bench/postgres-replicas/run.ts     (from the repository root)
 *
 * Needs PostgreSQL on 127.0.0.1:5432, trust auth (MXCP_BENCH_DATABASE_URL overrides); creates and
 * drops its own database. Bounded in time: BENCH_SECONDS per phase (default 5), four phases, plus
 * start-up; a watchdog ends the run after BENCH_SECONDS × 4 + 120 s. Prints one JSON line.
 * Figures are from one machine and one run: compare them as ratios, not as absolutes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { RoundRobin } from './balancer.js'
import { runCallLoad } from './call-load.js'
import { createBenchDatabase } from './database.js'
import { runLoginLoad } from './login-load.js'
import { type ServeProcess, startServe } from './serve-process.js'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5)
const LOGIN_CONCURRENCY = 8
const CALL_CONNECTIONS = 32
/** The replicas' shared external URL. Nothing listens there: the balancer rewrites it to a replica. */
const BASE = 'http://127.0.0.1:9'
const ENCRYPTION_KEY = 'bench-encryption-key-0123456789abcdefghijklmnop'

const watchdog = setTimeout(
  () => {
    console.error('postgres-replicas bench: watchdog fired, giving up')
    process.exit(1)
  },
  (SECONDS * 4 + 120) * 1000,
)
watchdog.unref()

function userConfig(github: GitHubStandIn, persistence: object): object {
  return {
    mxcp: 1,
    transport: { http: { base_url: BASE } },
    projects: {
      demo: {
        profiles: {
          default: {
            auth: {
              provider: 'github',
              github: {
                client_id: github.clientId,
                client_secret: '${GITHUB_CLIENT_SECRET}',
                auth_url: `${github.url}/login/oauth/authorize`,
                token_url: `${github.url}/login/oauth/access_token`,
                api_url: github.apiUrl,
              },
              // The bench measures the store, not the rate limiter.
              rate_limit: { enabled: false },
              persistence,
            },
          },
        },
      },
    },
  }
}

interface PhaseResult {
  readonly processes: number
  readonly loginsPerSecond: number
  readonly callsPerSecond: number
  readonly failures: number
}

async function measure(servers: readonly ServeProcess[]): Promise<PhaseResult> {
  const origins = servers.map((server) => server.origin)
  const logins = await runLoginLoad(BASE, new RoundRobin(origins), LOGIN_CONCURRENCY, SECONDS)
  if (!logins.accessToken) throw new Error('no login completed')
  const calls = await runCallLoad(origins, logins.accessToken, CALL_CONNECTIONS, SECONDS)
  return {
    processes: servers.length,
    loginsPerSecond: round(logins.logins / logins.seconds),
    callsPerSecond: round(calls.calls / calls.seconds),
    failures: logins.failures + calls.failures,
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

async function main(): Promise<void> {
  const github = await new GitHubStandIn().start()
  const env = { GITHUB_CLIENT_SECRET: github.clientSecret, MXCP_AUTH_ENCRYPTION_KEY: ENCRYPTION_KEY }
  const stops: (() => Promise<unknown>)[] = [() => github.close()]
  try {
    const sqliteDir = mkdtempSync(join(tmpdir(), 'mxcp-bench-sqlite-'))
    stops.push(async () => rmSync(sqliteDir, { recursive: true, force: true }))
    const sqliteServer = await startServe(
      userConfig(github, {
        type: 'sqlite',
        path: join(sqliteDir, 'oauth.db'),
        encryption_key: '${MXCP_AUTH_ENCRYPTION_KEY}',
      }),
      env,
    )
    const sqlite = await measure([sqliteServer]).finally(() => sqliteServer.stop())

    const database = await createBenchDatabase()
    stops.push(() => database.drop())
    const postgresConfig = userConfig(github, {
      type: 'postgres',
      url: '${MXCP_AUTH_DATABASE_URL}',
      encryption_key: '${MXCP_AUTH_ENCRYPTION_KEY}',
      pool_size: 10,
    })
    const replicas = await Promise.all(
      [0, 1].map(() => startServe(postgresConfig, { ...env, MXCP_AUTH_DATABASE_URL: database.url })),
    )
    const postgres = await measure(replicas).finally(() =>
      Promise.all(replicas.map((replica) => replica.stop())),
    )

    console.log(
      JSON.stringify({
        bench: 'postgres-replicas',
        secondsPerPhase: SECONDS,
        loginConcurrency: LOGIN_CONCURRENCY,
        callConnections: CALL_CONNECTIONS,
        sqlite,
        postgres,
        postgresOverSqlite: {
          logins: round(postgres.loginsPerSecond / sqlite.loginsPerSecond),
          calls: round(postgres.callsPerSecond / sqlite.callsPerSecond),
        },
      }),
    )
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {})
  }
}

await main()
