import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Machine } from '../harness/machine.js'
import { BENCH_DIR } from '../harness/node-command.js'
import type { Figure, SectionOutcomes } from './figures.js'
import { machineLine, markdownTable, notes } from './table.js'

/** bench/results.json: the figures, the machine, the settings and every section's raw figures. */
export interface BenchResults {
  readonly startedAt: string
  readonly totalSeconds: number
  /** False when the time budget ran out before every section ran. */
  readonly complete: boolean
  readonly machine: Machine
  readonly loadAverageAtEnd: number
  readonly settings: Readonly<Record<string, unknown>>
  readonly figures: readonly Figure[]
  readonly sections: Partial<SectionOutcomes>
}

/** Where the results of the last run go. */
export const RESULTS_PATH = join(BENCH_DIR, 'results.json')
const README_PATH = join(BENCH_DIR, 'README.md')
const START = '<!-- last-run:start (written by run-all.ts) -->'
const END = '<!-- last-run:end -->'

/** Writes bench/results.json. */
export function writeResultsJson(results: BenchResults): void {
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`)
}

/**
 * Replaces the "last run" part of bench/README.md (between its two markers) with this run's
 * table and machine. Leaves the README alone when the markers are missing.
 */
export function updateReadme(results: BenchResults): boolean {
  let readme: string
  try {
    readme = readFileSync(README_PATH, 'utf8')
  } catch {
    return false
  }
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start === -1 || end < start) return false
  const section = [
    START,
    '',
    `Run of ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.totalSeconds} s in all` +
      (results.complete ? '.' : ' (the time budget ran out: some sections did not run).'),
    '',
    `Machine: ${machineLine(results.machine, results.loadAverageAtEnd)}.`,
    '',
    markdownTable(results.figures),
    '',
    ...notes(results.figures).map((note) => `- ${note}`),
    '',
    END,
  ].join('\n')
  writeFileSync(README_PATH, readme.slice(0, start) + section + readme.slice(end + END.length))
  return true
}
