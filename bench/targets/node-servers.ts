import { join } from 'node:path'
import { type BenchProcess, startNode, waitForPort } from '../harness/child-process.js'
import { freePort } from '../harness/free-port.js'
import { BENCH_DIR, nodeArgs } from '../harness/node-command.js'
import type { StandInInfo } from './github-stand-in.js'

/** A bench server of our own making (fastmcp, bare Fastify), in its own process. */
export interface SimpleServer {
  readonly origin: string
  readonly mcpUrl: string
  readonly process: BenchProcess
  stop(): Promise<void>
}

/** Starts `targets/<entry>` with PORT set to a free port and waits until it listens. */
async function startEntry(entry: string, label: string, env: Record<string, string>): Promise<SimpleServer> {
  const port = await freePort()
  const child = startNode({
    name: label,
    args: nodeArgs(join(BENCH_DIR, 'targets', entry), { typescript: true, profileAs: label }),
    env: { ...env, PORT: String(port) },
    stdout: 'ignore',
  })
  try {
    await waitForPort(child, port, label)
  } catch (error) {
    await child.stop()
    throw error
  }
  const origin = `http://127.0.0.1:${port}`
  return { origin, mcpUrl: `${origin}/mcp`, process: child, stop: () => child.stop() }
}

/** fastmcp with `greet`: behind its OAuth proxy pointed at the GitHub stand-in, or open. */
export function startFastmcp(label: string, github: StandInInfo | undefined): Promise<SimpleServer> {
  const env: Record<string, string> = github
    ? {
        FASTMCP_AUTH: 'proxy',
        GITHUB_URL: github.url,
        GITHUB_CLIENT_ID: github.clientId,
        GITHUB_CLIENT_SECRET: github.clientSecret,
      }
    : { FASTMCP_AUTH: 'none' }
  return startEntry('fastmcp-server-process.ts', label, env)
}

/** The bare Fastify route (the ceiling). */
export function startBareFastify(label: string): Promise<SimpleServer> {
  return startEntry('bare-fastify-process.ts', label, {})
}
