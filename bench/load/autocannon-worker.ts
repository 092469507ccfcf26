/**
 * The load generator, in a process of its own (never in the process of a server under test):
 * runs the `LoadPlan` given as JSON in argv[2] with autocannon, step after step, and prints one
 * JSON line, a `LoadReport`. Run by `runLoadPlan()`; not meant to be started by hand.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { processCpuMs } from '../harness/process-usage.js'
import type { LoadPlan, LoadReport, LoadStep, LoadTarget, StepResult } from './load-plan.js'

/** The plan from the command line (written by `runLoadPlan`, so trusted as it is). */
function parsePlan(text: string | undefined): LoadPlan {
  if (text === undefined) throw new Error('usage: autocannon-worker <plan as JSON>')
  return JSON.parse(text) as LoadPlan
}

/** Requests per autocannon run when a step is bounded by `amount` and `maxSeconds`. */
const CHUNK = 10_000

/** Tokens of each target's file and where its next request starts: kept across steps and runs. */
const tokenCursors = new Map<string, { readonly tokens: string[]; next: number }>()

/** The cursor over the tokens of `file`, read once. */
function tokenCursor(file: string): { readonly tokens: string[]; next: number } {
  let cursor = tokenCursors.get(file)
  if (!cursor) {
    cursor = { tokens: readFileSync(file, 'utf8').split('\n').filter(Boolean), next: 0 }
    tokenCursors.set(file, cursor)
  }
  return cursor
}

/** autocannon's options for one run; tokens from a file are handed out in turn. */
function options(plan: LoadPlan, target: LoadTarget, step: LoadStep, amount?: number): autocannon.Options {
  const base: autocannon.Options = {
    url: target.url,
    method: target.method,
    headers: { ...target.headers },
    connections: step.connections ?? plan.connections,
    ...(target.body !== undefined && { body: target.body }),
    ...(target.idReplacement === true && { idReplacement: true }),
    ...(amount !== undefined ? { amount } : { duration: step.seconds ?? 1 }),
  }
  if (target.tokensFile === undefined) return base
  const cursor = tokenCursor(target.tokensFile)
  return {
    ...base,
    requests: [
      {
        setupRequest: (request) => {
          const token = cursor.tokens[cursor.next++ % cursor.tokens.length]
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }
        },
      },
    ],
  }
}

/** One step: a timed run, or runs of at most CHUNK requests until `amount` or `maxSeconds`. */
async function runStep(plan: LoadPlan, target: LoadTarget, step: LoadStep): Promise<autocannon.Result[]> {
  if (step.amount === undefined) return [await autocannon(options(plan, target, step))]
  const results: autocannon.Result[] = []
  const deadline = performance.now() + (step.maxSeconds ?? Number.POSITIVE_INFINITY) * 1000
  for (let sent = 0; sent < step.amount && performance.now() < deadline; sent += CHUNK) {
    results.push(await autocannon(options(plan, target, step, Math.min(CHUNK, step.amount - sent))))
  }
  return results
}

/** One step's figures; over several runs, latency percentiles are weighted by answers. */
function summarize(
  plan: LoadPlan,
  target: LoadTarget,
  step: LoadStep,
  results: readonly autocannon.Result[],
  cpuMs: number | undefined,
): StepResult {
  let seconds = 0
  let ok = 0
  let failed = 0
  let p50 = 0
  let p99 = 0
  for (const result of results) {
    const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
    const good =
      target.expectedStatus === undefined
        ? result['2xx']
        : (result.statusCodeStats?.[`${target.expectedStatus}`]?.count ?? 0)
    seconds += result.duration
    ok += good
    // autocannon counts timeouts among errors.
    failed += answered - good + result.errors
    p50 += result.latency.p50 * good
    p99 += result.latency.p99 * good
  }
  return {
    target: target.key,
    ...(step.label !== undefined && { label: step.label }),
    connections: step.connections ?? plan.connections,
    seconds,
    ok,
    failed,
    p50Ms: ok > 0 ? p50 / ok : 0,
    p99Ms: ok > 0 ? p99 / ok : 0,
    ...(cpuMs !== undefined && { serverCpuMs: cpuMs }),
  }
}

const plan = parsePlan(process.argv[2])
const targets = new Map(plan.targets.map((target) => [target.key, target]))
const steps: StepResult[] = []
for (const step of plan.steps) {
  const target = targets.get(step.target)
  if (!target) throw new Error(`the plan names an unknown target ${step.target}`)
  const cpuBefore = processCpuMs(target.pid)
  const results = await runStep(plan, target, step)
  const cpuAfter = processCpuMs(target.pid)
  const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined
  if (step.record) steps.push(summarize(plan, target, step, results, cpuMs))
}
const report: LoadReport = { steps }
console.log(JSON.stringify(report))
