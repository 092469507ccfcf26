import { connect } from 'node:net'
import { join } from 'node:path'
import { readJsonLine, startNode } from '../harness/child-process.js'
import { BENCH_DIR, nodeArgs, REPO_DIR } from '../harness/node-command.js'

/** How long a script may take to clean up after printing its figures. */
const SCRIPT_CLEANUP_MS = 20_000

/**
 * Runs one of the standalone bench scripts (each prints one JSON line) as a child process from
 * the repository root, and returns what it printed. Fails if it prints nothing in `timeoutMs`.
 */
export async function runScript(
  folder: string,
  env: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const child = startNode({
    name: folder,
    args: nodeArgs(join(BENCH_DIR, folder, 'run.ts'), { typescript: true }),
    cwd: REPO_DIR,
    env,
    stdout: 'pipe',
  })
  try {
    const printed = await readJsonLine(child, folder, timeoutMs)
    if (typeof printed !== 'object' || printed === null) throw new Error(`${folder} printed no JSON object`)
    // A script may print before its own clean-up (servers, temporary files, a database): let it
    // finish before anything else starts.
    await child.exited(SCRIPT_CLEANUP_MS)
    return { ...printed }
  } finally {
    await child.stop()
  }
}

/** The PostgreSQL the postgres-replicas script uses (its default, or MXCP_BENCH_DATABASE_URL). */
export function postgresUrl(): URL {
  return new URL(process.env['MXCP_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test')
}

/** True when something accepts connections where PostgreSQL should be. */
export function postgresReachable(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432) })
    socket.setTimeout(2_000, () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
