import { readFileSync } from 'node:fs'

/**
 * User + system CPU time a process has used so far, in ms, from `/proc/<pid>/stat` (Linux);
 * undefined elsewhere or once the process is gone. Read around a load step, it gives the server's
 * CPU cost per request, which the other tenants of a shared machine disturb less than throughput.
 */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    // Fields 14 and 15 (utime, stime), counted after the `(comm)` field, which may hold spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    const ticks = Number(fields[11]) + Number(fields[12])
    // Clock ticks: USER_HZ is 100 on every Linux platform Node.js runs on.
    return Number.isFinite(ticks) ? ticks * 10 : undefined
  } catch {
    return undefined
  }
}

/** The resident set size of a process in bytes, from `/proc/<pid>/status` (Linux). */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}
