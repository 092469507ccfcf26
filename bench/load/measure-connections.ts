import type { LoadStep, LoadTarget } from './load-plan.js'
import { round, type SideFigures, sideFigures } from './measure-pair.js'
import { runLoadPlan } from './run-load-plan.js'

/** How long one server is loaded at each number of connections. */
export interface ConnectionsTiming {
  readonly warmupSeconds: number
  readonly segmentSeconds: number
  /** Measured steps per number of connections (a multiple of 2: low high high low …). */
  readonly segmentsPerSide: number
}

/** One server at two numbers of connections. */
export interface ConnectionsFigures {
  readonly key: string
  readonly low: SideFigures & { readonly connections: number }
  readonly high: SideFigures & { readonly connections: number }
  /** high.rps / low.rps: whether more connections still buy throughput. */
  readonly ratio: number
}

/**
 * Loads each target at `low` then `high` connections, in steps ordered low high high low …
 * (after a warm-up at `high`), all in one load process: its latency percentiles and CPU per
 * request at both, measured under the same drift of the machine.
 */
export async function measureConnections(
  targets: readonly LoadTarget[],
  counts: { readonly low: number; readonly high: number },
  timing: ConnectionsTiming,
): Promise<ConnectionsFigures[]> {
  const steps: LoadStep[] = []
  for (const target of targets) {
    steps.push({ target: target.key, seconds: timing.warmupSeconds, record: false, connections: counts.high })
    for (let round = 0; round < timing.segmentsPerSide / 2; round++) {
      for (const connections of [counts.low, counts.high, counts.high, counts.low]) {
        const label = `${target.key}@${connections}`
        steps.push({ target: target.key, seconds: timing.segmentSeconds, record: true, connections, label })
      }
    }
  }
  const report = await runLoadPlan({ connections: counts.low, targets, steps })
  return targets.map((target) => {
    const at = (connections: number): SideFigures & { connections: number } => ({
      ...sideFigures(
        target.key,
        report.steps.filter((step) => step.label === `${target.key}@${connections}`),
      ),
      connections,
    })
    const low = at(counts.low)
    const high = at(counts.high)
    return { key: target.key, low, high, ratio: round(high.rps / low.rps, 3) }
  })
}
