import { join } from 'node:path'
import { type BenchProcess, startNode, waitForPort } from '../harness/child-process.js'
import { freePort } from '../harness/free-port.js'
import { BENCH_DIR, nodeArgs } from '../harness/node-command.js'

/** The MCP TypeScript SDK's own example server (a dev dependency of the bench, run as shipped). */
export const SDK_EXAMPLE = join(
  BENCH_DIR,
  'node_modules/@modelcontextprotocol/sdk/dist/esm/examples/server/simpleStreamableHttp.js',
)

/** A running SDK example server. */
export interface SdkExampleServer {
  /** `http://localhost:<port>/mcp`: the name its OAuth metadata uses (`localhost`, fixed in the example). */
  readonly mcpUrl: string
  /** The same endpoint on 127.0.0.1, where the load goes (its Host check allows both). */
  readonly loadUrl: string
  readonly process: BenchProcess
  stop(): Promise<void>
}

/**
 * Starts `simpleStreamableHttp.js` (with `--oauth`: its demo authorization server on a second
 * port, and every MCP request's token checked by a POST to that server's `/introspect`). Its
 * standard output, where it prints every request body, goes to /dev/null.
 */
export async function startSdkExample(options: { oauth: boolean; label: string }): Promise<SdkExampleServer> {
  const port = await freePort()
  const authPort = await freePort()
  const child = startNode({
    name: options.label,
    args: [
      ...nodeArgs(SDK_EXAMPLE, { typescript: false, profileAs: options.label }),
      ...(options.oauth ? ['--oauth'] : []),
    ],
    env: { MCP_PORT: String(port), MCP_AUTH_PORT: String(authPort) },
    stdout: 'ignore',
    // Its only clean exit (SIGTERM would end it before a CPU profile is written).
    stopSignal: 'SIGINT',
  })
  try {
    await waitForPort(child, port, options.label)
    if (options.oauth) await waitForPort(child, authPort, options.label)
  } catch (error) {
    await child.stop()
    throw error
  }
  return {
    mcpUrl: `http://localhost:${port}/mcp`,
    loadUrl: `http://127.0.0.1:${port}/mcp`,
    process: child,
    stop: () => child.stop(),
  }
}
