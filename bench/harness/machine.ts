import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os'

/** The machine a run measured on: what the README shows beside the table. */
export interface Machine {
  /** `nproc`: CPUs this process may use. */
  readonly nproc: number
  /** `model name` of /proc/cpuinfo (or what Node.js reports elsewhere). */
  readonly cpuModel: string
  readonly node: string
  readonly os: string
  readonly memoryGb: number
  /** 1-minute load average when the run started: above `nproc`, other work shared the CPUs. */
  readonly loadAverageAtStart: number
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1]) return match[1].trim()
  } catch {
    // Not Linux: fall through to what Node.js knows.
  }
  return cpus()[0]?.model ?? 'unknown'
}

/** The machine this process runs on, and how busy it is now. */
export function describeMachine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    os: `${type()} ${release()}`,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
}

/** The 1-minute load average now. */
export function loadAverageNow(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100
}
