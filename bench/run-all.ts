/**
 * `pnpm bench`: every benchmark of mxcp-auth on loopback, bounded in time, reported as ratios
 * measured in this one run. Prints the table, writes bench/results.json and the "last run" part
 * of bench/README.md. Servers and load generators each run in their own process.
 *
 * Settings (environment): BENCH_CONNECTIONS (10), BENCH_MORE_CONNECTIONS (50), BENCH_SEGMENT_SECONDS (1), BENCH_SESSIONS
 * (100000), BENCH_POSTGRES_SECONDS (2), BENCH_BUDGET_SECONDS (285), MXCP_BENCH_DATABASE_URL, and
 * BENCH_CPU_PROF=1 (every server under `node --cpu-prof`, profiles in bench/profiles/).
 */
import { killAll } from './harness/child-process.js'
import { describeMachine, loadAverageNow } from './harness/machine.js'
import { buildFigures, type SectionOutcomes } from './report/figures.js'
import { attempt, type Outcome } from './report/outcome.js'
import { textTable } from './report/table.js'
import { type BenchResults, RESULTS_PATH, updateReadme, writeResultsJson } from './report/write-results.js'
import { type Fleet, startFleet } from './sections/fleet.js'
import { runLiveSessions } from './sections/live-sessions.js'
import { type LoginTiming, runLogins } from './sections/logins.js'
import { postgresReachable, postgresUrl, runScript } from './sections/scripts.js'
import {
  prepareThroughput,
  runThroughput,
  type ThroughputTargets,
  type ThroughputTiming,
  warmUp,
} from './sections/throughput.js'
import { type RunningStandIn, startGitHubStandIn } from './targets/github-stand-in.js'

/** A positive number from the environment, or `fallback`. */
function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}

const connections = setting('BENCH_CONNECTIONS', 10)
// autocannon runs whole seconds (it samples once a second): steps are 1 s or more.
const segmentSeconds = Math.max(1, Math.round(setting('BENCH_SEGMENT_SECONDS', 1)))
const throughputTiming: ThroughputTiming = {
  connections,
  // Its bar (0.90) is the closest to what it measures: a longer warm-up (it comes first) and
  // more steps than the others.
  authOverhead: { warmupSeconds: 3, segmentSeconds, segmentsPerSide: 10 },
  others: { warmupSeconds: 1, segmentSeconds, segmentsPerSide: 6 },
  moreConnections: setting('BENCH_MORE_CONNECTIONS', 50),
  latency: { warmupSeconds: 1, segmentSeconds: 2 * segmentSeconds, segmentsPerSide: 2 },
}
const loginTiming: LoginTiming = {
  warmupSeconds: 2,
  segmentSeconds: 3,
  segmentsPerSide: 2,
  concurrency: 8,
}
const liveSessions = setting('BENCH_SESSIONS', 100_000)
const postgresSeconds = setting('BENCH_POSTGRES_SECONDS', 2)
const budgetSeconds = setting('BENCH_BUDGET_SECONDS', 285)
/** Load on each server, one after the other, before anything is measured (JIT, DuckDB, pools). */
const WARM_UP_SECONDS = 3
/** The most the live-sessions load may take (it stops between runs of 10 000 requests). */
const LIVE_SESSIONS_MAX_SECONDS = 90

const startedAt = new Date()
const started = performance.now()
const machine = describeMachine()
const sections: { -readonly [K in keyof SectionOutcomes]?: SectionOutcomes[K] } = {}
const elapsed = (): number => (performance.now() - started) / 1000
const log = (message: string): void =>
  console.error(`[bench ${elapsed().toFixed(0).padStart(3)} s] ${message}`)

/** Writes results.json and the README's last-run table, prints the table, returns the results. */
function finish(complete: boolean): BenchResults {
  const skipped = (reason: string): Outcome<never> => ({ status: 'skipped', reason })
  const all: SectionOutcomes = {
    throughput: sections.throughput ?? skipped('did not run'),
    logins: sections.logins ?? skipped('did not run'),
    liveSessions: sections.liveSessions ?? skipped('did not run'),
    sqliteScale: sections.sqliteScale ?? skipped('did not run'),
    duckdbBinding: sections.duckdbBinding ?? skipped('did not run'),
    sqlStatementCheck: sections.sqlStatementCheck ?? skipped('did not run'),
    postgresReplicas: sections.postgresReplicas ?? skipped('did not run'),
  }
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    totalSeconds: Math.round(elapsed()),
    complete,
    machine,
    loadAverageAtEnd: loadAverageNow(),
    settings: { throughputTiming, loginTiming, liveSessions, postgresSeconds, budgetSeconds },
    figures: buildFigures(all),
    sections: all,
  }
  writeResultsJson(results)
  const readme = updateReadme(results)
  console.log(textTable(results.figures))
  log(`wrote ${RESULTS_PATH}${readme ? ' and the last-run table of bench/README.md' : ''}`)
  return results
}

// Bounded in time whatever happens: past the budget, every process is killed and what was
// measured so far is written.
const watchdog = setTimeout(() => {
  log(`time budget of ${budgetSeconds} s spent: stopping`)
  killAll()
  finish(false)
  process.exit(1)
}, budgetSeconds * 1000)
watchdog.unref()
process.once('SIGINT', () => {
  killAll()
  process.exit(130)
})

/**
 * Runs a section only if the budget leaves it `needsSeconds`, handing it the time it may take
 * (what is left, less a margin for writing the results) in ms.
 */
async function within<T>(needsSeconds: number, run: (timeoutMs: number) => Promise<T>): Promise<Outcome<T>> {
  const left = budgetSeconds - elapsed()
  if (left < needsSeconds)
    return { status: 'skipped', reason: `${Math.round(left)} s of the time budget left` }
  return attempt(() => run((left - 5) * 1000))
}

/** Figures 1–5e: every server of the fleet, the throughput pairs, the logins, the live sessions. */
async function serverFigures(github: RunningStandIn): Promise<void> {
  // Start-ups and the live-sessions figure (a memory reading, not a speed) overlap; nothing is
  // timed while they run.
  log(`starting and warming up the servers; meanwhile ${liveSessions.toLocaleString('en')} live sessions`)
  let fleet: Fleet | undefined
  const readying = async (): Promise<ThroughputTargets> => {
    fleet = await startFleet(github)
    const targets = await prepareThroughput(fleet)
    await warmUp(targets, WARM_UP_SECONDS, connections)
    return targets
  }
  const [ready, live] = await Promise.all([
    attempt(readying),
    attempt(() => runLiveSessions(liveSessions, connections, LIVE_SESSIONS_MAX_SECONDS)),
  ])
  sections.liveSessions = live
  const servers = fleet
  if (!servers) {
    // The fleet did not start (it stopped whatever had started): nothing to load.
    const failure = ready.status === 'measured' ? { status: 'failed' as const, reason: 'no servers' } : ready
    sections.throughput = failure
    sections.logins = failure
    return
  }
  try {
    log('throughput pairs: tools/call, ours against each')
    sections.throughput =
      ready.status === 'measured' ? await attempt(() => runThroughput(ready.value, throughputTiming)) : ready
    log('whole logins: SQLite store against memory store')
    sections.logins = await attempt(() => runLogins(servers.ours, servers.oursMemory, loginTiming))
  } finally {
    await servers.stopAll()
  }
}

async function main(): Promise<number> {
  log(
    `${machine.nproc} CPUs, ${machine.cpuModel}, Node.js ${machine.node}, load average ${machine.loadAverageAtStart}`,
  )
  const github = await attempt(startGitHubStandIn)
  if (github.status === 'measured') {
    try {
      await serverFigures(github.value)
    } finally {
      await github.value.process.stop()
    }
  } else {
    sections.throughput = github
    sections.logins = github
    sections.liveSessions = await attempt(() =>
      runLiveSessions(liveSessions, connections, LIVE_SESSIONS_MAX_SECONDS),
    )
  }
  log('token lookups with 1 thousand and 1 million tokens (sqlite-scale)')
  sections.sqliteScale = await within(45, (ms) => runScript('sqlite-scale', {}, ms))
  log('DuckDB user binding (duckdb-binding)')
  sections.duckdbBinding = await within(15, (ms) => runScript('duckdb-binding', {}, ms))
  log('statement check of the built-in SQL tool (sql-statement-check)')
  sections.sqlStatementCheck = await within(15, (ms) => runScript('sql-statement-check', {}, ms))
  const database = postgresUrl()
  if (await postgresReachable(database)) {
    log('PostgreSQL replicas (postgres-replicas)')
    sections.postgresReplicas = await within(30 + 4 * postgresSeconds, (ms) =>
      runScript(
        'postgres-replicas',
        {
          BENCH_SECONDS: String(postgresSeconds),
          ...(process.env['MXCP_BENCH_DATABASE_URL'] !== undefined && {
            MXCP_BENCH_DATABASE_URL: process.env['MXCP_BENCH_DATABASE_URL'],
          }),
        },
        ms,
      ),
    )
  } else {
    sections.postgresReplicas = {
      status: 'skipped',
      reason: `no PostgreSQL at ${database.hostname}:${database.port || 5432} (set MXCP_BENCH_DATABASE_URL)`,
    }
  }
  clearTimeout(watchdog)
  const results = finish(true)
  const failed = Object.entries(results.sections).filter(([, outcome]) => outcome.status === 'failed')
  for (const [name, outcome] of failed)
    log(`${name} failed: ${outcome.status === 'failed' ? outcome.reason : ''}`)
  return failed.length === 0 ? 0 : 1
}

process.exitCode = await main()
