import { join } from 'node:path'
import { type BenchProcess, readJsonLine, startNode } from '../harness/child-process.js'
import { BENCH_DIR, nodeArgs } from '../harness/node-command.js'

/** Where the GitHub stand-in listens, and the OAuth App it knows. */
export interface StandInInfo {
  readonly url: string
  readonly apiUrl: string
  readonly clientId: string
  readonly clientSecret: string
}

/** The stand-in and its process. */
export interface RunningStandIn extends StandInInfo {
  readonly process: BenchProcess
}

function isStandInInfo(value: unknown): value is StandInInfo {
  if (typeof value !== 'object' || value === null) return false
  const fields: Record<string, unknown> = { ...value }
  return ['url', 'apiUrl', 'clientId', 'clientSecret'].every((key) => typeof fields[key] === 'string')
}

/** Starts the GitHub stand-in (loopback, GitHub's wire format) in its own process. */
export async function startGitHubStandIn(): Promise<RunningStandIn> {
  const child = startNode({
    name: 'GitHub stand-in',
    args: nodeArgs(join(BENCH_DIR, 'targets', 'github-stand-in-process.ts'), { typescript: true }),
    stdout: 'pipe',
  })
  try {
    const info = await readJsonLine(child, 'GitHub stand-in')
    if (!isStandInInfo(info)) throw new Error('the GitHub stand-in answered something unexpected')
    return { ...info, process: child }
  } catch (error) {
    await child.stop()
    throw error
  }
}
