import type { LoadStep, LoadTarget, StepResult } from './load-plan.js'
import { runLoadPlan } from './run-load-plan.js'

/** How long each load step of a pair lasts. */
export interface PairTiming {
  readonly warmupSeconds: number
  /** One measured step. */
  readonly segmentSeconds: number
  /** Measured steps per side, in A B B A order (a multiple of 2). */
  readonly segmentsPerSide: number
}

/** Two servers to compare: `a` ÷ `b`. */
export interface Pair {
  readonly label: string
  readonly a: LoadTarget
  readonly b: LoadTarget
  readonly timing: PairTiming
}

/** One side of a pair, over all of its measured steps. */
export interface SideFigures {
  readonly key: string
  /** Answers per second over the side's steps. */
  readonly rps: number
  /** Mean of the steps' latency percentiles (weighted by answers), milliseconds. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly requests: number
  readonly seconds: number
  /** CPU time of the server process (every thread) per answered request, ms (Linux only). */
  readonly cpuMsPerRequest?: number
}

/** Two servers measured back to back in one load process. */
export interface PairFigures {
  readonly a: SideFigures
  readonly b: SideFigures
  /** a.rps / b.rps: the figure. */
  readonly ratio: number
  /**
   * b's CPU per request ÷ a's: the same comparison by CPU cost instead of throughput, which the
   * other tenants of a shared machine disturb less (a cross-check, not the figure).
   */
  readonly cpuRatio?: number
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

/** One server's figures over those of `steps` that loaded it. */
export function sideFigures(key: string, steps: readonly StepResult[]): SideFigures {
  const own = steps.filter((step) => step.target === key)
  const requests = own.reduce((sum, step) => sum + step.ok, 0)
  const seconds = own.reduce((sum, step) => sum + step.seconds, 0)
  const weighted = (pick: (step: StepResult) => number): number =>
    own.reduce((sum, step) => sum + pick(step) * step.ok, 0) / requests
  const cpu = own.every((step) => step.serverCpuMs !== undefined)
    ? own.reduce((sum, step) => sum + (step.serverCpuMs ?? 0), 0)
    : undefined
  return {
    key,
    rps: round(requests / seconds, 0),
    p50Ms: round(
      weighted((step) => step.p50Ms),
      1,
    ),
    p99Ms: round(
      weighted((step) => step.p99Ms),
      1,
    ),
    requests,
    seconds: round(seconds, 1),
    ...(cpu !== undefined && { cpuMsPerRequest: round(cpu / requests, 3) }),
  }
}

/** A warm-up of each side, then A B B A, repeated: each side as often first as second. */
function pairSteps(pair: Pair): LoadStep[] {
  const { a, b, timing, label } = pair
  const steps: LoadStep[] = [
    { target: a.key, seconds: timing.warmupSeconds, record: false, label },
    { target: b.key, seconds: timing.warmupSeconds, record: false, label },
  ]
  for (let round = 0; round < timing.segmentsPerSide / 2; round++) {
    for (const target of [a, b, b, a])
      steps.push({ target: target.key, seconds: timing.segmentSeconds, record: true, label })
  }
  return steps
}

function figures(pair: Pair, steps: readonly StepResult[]): PairFigures {
  const own = steps.filter((step) => step.label === pair.label)
  const a = sideFigures(pair.a.key, own)
  const b = sideFigures(pair.b.key, own)
  const cpuRatio =
    a.cpuMsPerRequest !== undefined && b.cpuMsPerRequest !== undefined
      ? round(b.cpuMsPerRequest / a.cpuMsPerRequest, 3)
      : undefined
  return { a, b, ratio: round(a.rps / b.rps, 3), ...(cpuRatio !== undefined && { cpuRatio }) }
}

/**
 * Measures each pair back to back, one pair after the other, all in one autocannon process:
 * short steps in A B B A order, so that the machine's drifts during a pair (other tenants, CPU
 * boost) weigh on both of its sides alike.
 */
export async function measurePairs(pairs: readonly Pair[], connections: number): Promise<PairFigures[]> {
  const targets = new Map<string, LoadTarget>()
  for (const pair of pairs) for (const target of [pair.a, pair.b]) targets.set(target.key, target)
  const report = await runLoadPlan({
    connections,
    targets: [...targets.values()],
    steps: pairs.flatMap(pairSteps),
  })
  return pairs.map((pair) => figures(pair, report.steps))
}
