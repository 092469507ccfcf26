/**
 * Figure 4 alone, with where the CPU goes: whole logins per second against `mxcp serve` with the
 * SQLite store and with the memory store (the same servers and stand-in `pnpm bench` starts, each
 * in its own process), in A B B A steps, and the CPU time per login of the server, of the login
 * worker (client and browser side) and of the GitHub stand-in. Run from the repository root:
 *   node --conditions=@mxcp/source --import tsx bench/logins/run.ts
 * Prints one JSON line. `BENCH_LOGIN_SECONDS` (3) sets each measured step, `BENCH_LOGIN_STEPS`
 * (2) the steps per store; with `BENCH_CPU_PROF=1` both servers leave their CPU profiles in
 * `bench/profiles/mxcp-github-{sqlite,memory}/`.
 */
import { processCpuMs } from '../harness/process-usage.js'
import { round } from '../load/measure-pair.js'
import { startGitHubStandIn } from '../targets/github-stand-in.js'
import { type MxcpServer, startMxcpServer } from '../targets/mxcp-server.js'
import type { LoginStepResult } from './login-plan.js'
import { runLoginPlan } from './run-login-plan.js'

const segmentSeconds = Number(process.env['BENCH_LOGIN_SECONDS'] ?? 3)
const stepsPerSide = 2 * Math.max(1, Math.round(Number(process.env['BENCH_LOGIN_STEPS'] ?? 2) / 2))
type Store = 'sqlite' | 'memory'

function side(store: Store, steps: readonly LoginStepResult[]): object {
  const own = steps.filter((step) => step.target === store)
  const sum = (pick: (step: LoginStepResult) => number | undefined): number =>
    own.reduce((total, step) => total + (pick(step) ?? Number.NaN), 0)
  const logins = sum((step) => step.logins)
  return {
    loginsPerSecond: round(logins / sum((step) => step.seconds), 1),
    logins,
    serverCpuMsPerLogin: round(sum((step) => step.serverCpuMs) / logins, 2),
    workerCpuMsPerLogin: round(sum((step) => step.workerCpuMs) / logins, 2),
  }
}

const github = await startGitHubStandIn()
const servers: MxcpServer[] = []
try {
  const [sqlite, memory] = await Promise.all([
    startMxcpServer({ label: 'mxcp-github-sqlite', auth: 'github-sqlite', github }),
    startMxcpServer({ label: 'mxcp-github-memory', auth: 'github-memory', github }),
  ])
  servers.push(sqlite, memory)
  const order: Store[] = []
  for (let i = 0; i < stepsPerSide / 2; i++) order.push('sqlite', 'memory', 'memory', 'sqlite')
  const standInBefore = processCpuMs(github.process.pid)
  const report = await runLoginPlan({
    concurrency: 8,
    targets: [
      { key: 'sqlite', origin: sqlite.origin, pid: sqlite.process.pid },
      { key: 'memory', origin: memory.origin, pid: memory.process.pid },
    ],
    steps: [
      { target: 'sqlite', seconds: 2, record: true },
      { target: 'memory', seconds: 2, record: true },
      ...order.map((target) => ({ target, seconds: segmentSeconds, record: true })),
    ],
  })
  const standInMs = (processCpuMs(github.process.pid) ?? Number.NaN) - (standInBefore ?? Number.NaN)
  const measured = report.steps.slice(2)
  const allLogins = report.steps.reduce((total, step) => total + step.logins, 0)
  console.log(
    JSON.stringify({
      bench: 'logins',
      sqlite: side('sqlite', measured),
      memory: side('memory', measured),
      standInCpuMsPerLogin: round(standInMs / allLogins, 2),
    }),
  )
} finally {
  await Promise.all(servers.map((server) => server.stop()))
  await github.process.stop()
}
