/**
 * The login load generator, in a process of its own: runs the `LoginPlan` given as JSON in
 * argv[2] (`concurrency` loops of complete logins per step) and prints one JSON line, a
 * `LoginReport`. Run by `runLoginPlan()`.
 */
import { processCpuMs } from '../harness/process-usage.js'
import { completeLogin } from './login-flow.js'
import type { LoginPlan, LoginReport, LoginStepResult } from './login-plan.js'

interface StepOutcome {
  readonly logins: number
  readonly failures: number
  readonly firstFailure: string | undefined
  readonly seconds: number
}

/** `concurrency` loops of complete logins against `origin` until `seconds` have passed. */
async function runStep(origin: string, concurrency: number, seconds: number): Promise<StepOutcome> {
  const started = performance.now()
  const deadline = started + seconds * 1000
  let logins = 0
  let failures = 0
  let firstFailure: string | undefined
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await completeLogin(origin)
          logins++
        } catch (error) {
          failures++
          firstFailure ??= error instanceof Error ? error.message : String(error)
        }
      }
    }),
  )
  // Logins still in flight at the deadline finish and count: the time counts up to the last one.
  return { logins, failures, firstFailure, seconds: (performance.now() - started) / 1000 }
}

// Written by `runLoginPlan`, so trusted as it is.
const plan = JSON.parse(process.argv[2] ?? '{}') as LoginPlan
const steps: LoginStepResult[] = []
for (const step of plan.steps) {
  const target = plan.targets.find((candidate) => candidate.key === step.target)
  if (!target) throw new Error(`the plan names an unknown target ${step.target}`)
  const cpuBefore = processCpuMs(target.pid)
  const ownBefore = process.cpuUsage()
  const result = await runStep(target.origin, plan.concurrency, step.seconds)
  const own = process.cpuUsage(ownBefore)
  const cpuAfter = processCpuMs(target.pid)
  if (!step.record) continue
  steps.push({
    target: step.target,
    seconds: result.seconds,
    logins: result.logins,
    failures: result.failures,
    ...(result.firstFailure !== undefined && { firstFailure: result.firstFailure }),
    ...(cpuBefore !== undefined && cpuAfter !== undefined && { serverCpuMs: cpuAfter - cpuBefore }),
    workerCpuMs: (own.user + own.system) / 1000,
  })
}
const report: LoginReport = { steps }
console.log(JSON.stringify(report))
