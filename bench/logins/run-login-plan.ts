import { join } from 'node:path'
import { readJsonLine, startNode } from '../harness/child-process.js'
import { BENCH_DIR, nodeArgs } from '../harness/node-command.js'
import type { LoginPlan, LoginReport } from './login-plan.js'

const WORKER = join(BENCH_DIR, 'logins', 'login-worker.ts')

/** Runs `plan` in a fresh login-generator process; any failed login fails the run. */
export async function runLoginPlan(plan: LoginPlan): Promise<LoginReport> {
  const worker = startNode({
    name: 'login worker',
    args: [...nodeArgs(WORKER, { typescript: true, profileAs: 'login-worker' }), JSON.stringify(plan)],
    stdout: 'pipe',
  })
  try {
    const seconds = plan.steps.reduce((sum, step) => sum + step.seconds, 0)
    // Our own worker's report, in the shape it declares.
    const report = (await readJsonLine(worker, 'login worker', (seconds + 60) * 1000)) as LoginReport
    for (const step of report.steps) {
      if (step.failures > 0 || step.logins === 0) {
        throw new Error(
          `logins on ${step.target}: ${step.logins} completed, ${step.failures} failed (${step.firstFailure ?? 'none completed'})`,
        )
      }
    }
    return report
  } finally {
    await worker.stop()
  }
}
