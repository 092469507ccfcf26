import { join } from 'node:path'
import { readJsonLine, startNode } from '../harness/child-process.js'
import { BENCH_DIR, nodeArgs } from '../harness/node-command.js'
import type { LoadPlan, LoadReport } from './load-plan.js'

const WORKER = join(BENCH_DIR, 'load', 'autocannon-worker.ts')

/** Runs `plan` in a fresh load-generator process and returns its report. */
export async function runLoadPlan(plan: LoadPlan): Promise<LoadReport> {
  const worker = startNode({
    name: 'autocannon worker',
    args: [...nodeArgs(WORKER, { typescript: true }), JSON.stringify(plan)],
    stdout: 'pipe',
  })
  try {
    const seconds = plan.steps.reduce((sum, step) => sum + (step.seconds ?? step.maxSeconds ?? 300), 0)
    // Our own worker's report, in the shape it declares.
    const report = (await readJsonLine(worker, 'autocannon worker', (seconds + 60) * 1000)) as LoadReport
    for (const step of report.steps) {
      // A server that answers fast with an error must not pass for a fast server.
      if (step.failed > 0 || step.ok === 0) {
        throw new Error(
          `load on ${step.target}: ${step.ok} answers as expected, ${step.failed} not (other statuses, errors, timeouts)`,
        )
      }
    }
    return report
  } finally {
    await worker.stop()
  }
}
