import type { RunningStandIn } from '../targets/github-stand-in.js'
import { type MxcpServer, startMxcpServer } from '../targets/mxcp-server.js'
import { type SimpleServer, startBareFastify, startFastmcp } from '../targets/node-servers.js'
import { type SdkExampleServer, startSdkExample } from '../targets/sdk-example.js'

/** Every server the throughput and login figures load, each in its own process. */
export interface Fleet {
  /** `mxcp serve`, GitHub auth against the stand-in, OAuth state in SQLite: "ours". */
  readonly ours: MxcpServer
  /** The same, with MCP sessions (`stateless: false`): every call on one session. */
  readonly oursSessions: MxcpServer
  /** The same server and project with auth `none`. */
  readonly none: MxcpServer
  /** `mxcp serve`, GitHub auth, OAuth state in memory (the other side of the login figure). */
  readonly oursMemory: MxcpServer
  readonly sdkOauth: SdkExampleServer
  readonly sdkPlain: SdkExampleServer
  readonly fastmcp: SimpleServer
  readonly bare: SimpleServer
  stopAll(): Promise<void>
}

type Stoppable = { stop(): Promise<void> }

/** Starts the fleet all at once (start-up is not measured); if one fails, stops the others. */
export async function startFleet(github: RunningStandIn): Promise<Fleet> {
  const starting = {
    ours: startMxcpServer({ label: 'mxcp-github-sqlite', auth: 'github-sqlite', github }),
    oursSessions: startMxcpServer({
      label: 'mxcp-github-sqlite-sessions',
      auth: 'github-sqlite',
      github,
      stateless: false,
    }),
    none: startMxcpServer({ label: 'mxcp-none', auth: 'none' }),
    oursMemory: startMxcpServer({ label: 'mxcp-github-memory', auth: 'github-memory', github }),
    sdkOauth: startSdkExample({ oauth: true, label: 'sdk-example-oauth' }),
    sdkPlain: startSdkExample({ oauth: false, label: 'sdk-example' }),
    fastmcp: startFastmcp('fastmcp-oauth-proxy', github),
    bare: startBareFastify('bare-fastify'),
  }
  const settled = await Promise.allSettled(Object.values(starting))
  const running = settled.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value as Stoppable] : [],
  )
  const stopAll = async (): Promise<void> => {
    await Promise.all(running.map((server) => server.stop()))
  }
  const failure = settled.find((result) => result.status === 'rejected')
  if (failure) {
    await stopAll()
    throw failure.reason
  }
  return {
    ours: await starting.ours,
    oursSessions: await starting.oursSessions,
    none: await starting.none,
    oursMemory: await starting.oursMemory,
    sdkOauth: await starting.sdkOauth,
    sdkPlain: await starting.sdkPlain,
    fastmcp: await starting.fastmcp,
    bare: await starting.bare,
    stopAll,
  }
}
