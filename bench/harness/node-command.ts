import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bench package folder (`bench/`). */
export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The repository root. */
export const REPO_DIR = resolve(BENCH_DIR, '..')

/**
 * Where `node --cpu-prof` writes profiles when `BENCH_CPU_PROF=1`: a folder per server, holding
 * one `.cpuprofile` per thread (the largest is the main thread; tsx adds a loader thread),
 * written when the process exits. Unset, nothing is profiled (a profiler slows a process down).
 */
export const CPU_PROFILE_DIR = join(BENCH_DIR, 'profiles')

/** How `nodeArgs` runs an entry point. */
export interface NodeArgsOptions {
  /** Run a TypeScript entry from source (tsx, and the `@mxcp/source` export condition). */
  readonly typescript: boolean
  /** With `BENCH_CPU_PROF=1`, profile this process into `profiles/<name>/`. */
  readonly profileAs?: string
}

/** The Node.js arguments that run `entry` as the options say. */
export function nodeArgs(entry: string, options: NodeArgsOptions): string[] {
  const args = options.typescript ? ['--conditions=@mxcp/source', '--import', 'tsx'] : []
  if (options.profileAs !== undefined && process.env['BENCH_CPU_PROF'] === '1') {
    const dir = join(CPU_PROFILE_DIR, options.profileAs)
    mkdirSync(dir, { recursive: true })
    args.push('--cpu-prof', `--cpu-prof-dir=${dir}`)
  }
  return [...args, entry]
}
