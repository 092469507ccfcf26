/**
 * Where a `node --cpu-prof` profile spends its time, for the profiles `BENCH_CPU_PROF=1 pnpm bench`
 * leaves in bench/profiles/: self time per package and per function, then the inclusive time of
 * the functions whose file matches a pattern (default: our own packages), heaviest first. Shares
 * are of the time the thread was busy; idle time says nothing about where the CPU went.
 *
 *   node --import tsx bench/tools/profile-summary.ts <file.cpuprofile> [top = 25] [file pattern] [skip s]
 *
 * `skip` leaves out the profile's first seconds (a server's start-up: module loading, JIT), so
 * that what remains is the load.
 *
 * On a busy machine the sampler also counts time a thread was runnable but not running, so
 * shares of code that runs for long stretches are somewhat inflated.
 */
import { readFileSync } from 'node:fs'
import { REPO_DIR } from '../harness/node-command.js'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: readonly number[]
}

interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

/** A file's path inside the pnpm store or the repository, without the machine's prefix. */
function shortPath(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(`${REPO_DIR}/`, '')
}

/** `node_modules/.pnpm/<pkg>@<version>/node_modules/<pkg>/…` → `<pkg>`; ours by folder. */
function packageOf(frame: CallFrame): string {
  if (frame.url === '') {
    return frame.functionName.startsWith('(') ? frame.functionName : '(native: syscalls, addons)'
  }
  const inStore = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(frame.url)
  if (inStore?.[1]) return inStore[1]
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(frame.url)
  if (ours?.[2]) return `@mxcp/${ours[2]} (ours)`
  if (frame.url.startsWith('node:')) return 'node:internal'
  return shortPath(frame.url)
}

const [path, topText, patternText, skipText] = process.argv.slice(2)
if (!path) throw new Error('usage: profile-summary <file.cpuprofile> [top] [file pattern]')
const top = Number(topText ?? 25)
const pattern = new RegExp(patternText ?? '(packages|apps)/')
// A profile Node.js wrote: its documented shape (Chrome DevTools Protocol, Profiler.Profile).
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const skipUs = Number(skipText ?? 0) * 1e6
const selfUs = new Map<number, number>()
let atUs = 0
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0
  atUs += delta
  if (atUs >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
})
const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)'
const idle = [...selfUs].reduce((sum, [id, us]) => sum + (isIdle(id) ? us : 0), 0)
const busy = [...selfUs.values()].reduce((a, b) => a + b, 0) - idle

const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame
  if (!frame || isIdle(id)) continue
  const name = `${frame.functionName || '(anonymous)'}  ${shortPath(frame.url)}:${frame.lineNumber + 1}`
  byFunction.set(name, (byFunction.get(name) ?? 0) + us)
  const owner = packageOf(frame)
  byPackage.set(owner, (byPackage.get(owner) ?? 0) + us)
}

// Inclusive time: every sample counts once for each distinct function on its stack. Async code
// resumes on fresh stacks, so an async function's inclusive time covers its synchronous parts.
const parents = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  if (isIdle(id)) continue
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = byId.get(at)?.callFrame
    if (!frame?.functionName || !pattern.test(frame.url)) continue
    const name = `${frame.functionName}  ${shortPath(frame.url)}`
    if (seen.has(name)) continue
    seen.add(name)
    inclusive.set(name, (inclusive.get(name) ?? 0) + us)
  }
}

function print(title: string, entries: Map<string, number>): void {
  console.log(`\n${title}`)
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`)
  }
}

const skipped = skipUs > 0 ? ` (after the first ${skipUs / 1e6} s)` : ''
console.log(`${path}${skipped}: ${(busy / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle`)
print('self time by package', byPackage)
print('self time by function', byFunction)
print(`inclusive time of functions in files matching ${pattern}`, inclusive)
