import { round } from '../load/measure-pair.js'
import type { LoginStepResult } from '../logins/login-plan.js'
import { runLoginPlan } from '../logins/run-login-plan.js'
import type { MxcpServer } from '../targets/mxcp-server.js'

/** How long each step of logins lasts, and how many logins are in flight at once. */
export interface LoginTiming {
  readonly warmupSeconds: number
  readonly segmentSeconds: number
  /** Measured steps per store, in A B B A order (a multiple of 2). */
  readonly segmentsPerSide: number
  readonly concurrency: number
}

/** One store's side of the login figure. */
export interface LoginSide {
  readonly store: 'sqlite' | 'memory'
  readonly loginsPerSecond: number
  readonly logins: number
  /** CPU time of the server process per complete login, ms (Linux only). */
  readonly cpuMsPerLogin?: number
}

/** Figure 4: complete OAuth flows per second with the SQLite store, against the memory store. */
export interface LoginResults {
  readonly sqlite: LoginSide
  readonly memory: LoginSide
  /** sqlite / memory. */
  readonly ratio: number
  readonly concurrency: number
}

function side(store: 'sqlite' | 'memory', steps: readonly LoginStepResult[]): LoginSide {
  const own = steps.filter((step) => step.target === store)
  const logins = own.reduce((sum, step) => sum + step.logins, 0)
  const seconds = own.reduce((sum, step) => sum + step.seconds, 0)
  const cpu = own.every((step) => step.serverCpuMs !== undefined)
    ? own.reduce((sum, step) => sum + (step.serverCpuMs ?? 0), 0)
    : undefined
  return {
    store,
    loginsPerSecond: round(logins / seconds, 1),
    logins,
    ...(cpu !== undefined && { cpuMsPerLogin: round(cpu / logins, 2) }),
  }
}

/**
 * Two `mxcp serve` with GitHub auth against the stand-in, one keeping OAuth state in SQLite (WAL,
 * `synchronous=FULL`: every committed step is on disk), one in memory; complete logins in
 * A B B A steps from one login-generator process.
 */
export async function runLogins(
  sqlite: MxcpServer,
  memory: MxcpServer,
  timing: LoginTiming,
): Promise<LoginResults> {
  const order: ('sqlite' | 'memory')[] = []
  for (let round = 0; round < timing.segmentsPerSide / 2; round++)
    order.push('sqlite', 'memory', 'memory', 'sqlite')
  const report = await runLoginPlan({
    concurrency: timing.concurrency,
    targets: [
      { key: 'sqlite', origin: sqlite.origin, pid: sqlite.process.pid },
      { key: 'memory', origin: memory.origin, pid: memory.process.pid },
    ],
    steps: [
      { target: 'sqlite', seconds: timing.warmupSeconds, record: false },
      { target: 'memory', seconds: timing.warmupSeconds, record: false },
      ...order.map((target) => ({ target, seconds: timing.segmentSeconds, record: true })),
    ],
  })
  const figuresSqlite = side('sqlite', report.steps)
  const figuresMemory = side('memory', report.steps)
  return {
    sqlite: figuresSqlite,
    memory: figuresMemory,
    ratio: round(figuresSqlite.loginsPerSecond / figuresMemory.loginsPerSecond, 3),
    concurrency: timing.concurrency,
  }
}
