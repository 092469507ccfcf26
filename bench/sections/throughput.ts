import type { LoadTarget } from '../load/load-plan.js'
import {
  type ConnectionsFigures,
  type ConnectionsTiming,
  measureConnections,
} from '../load/measure-connections.js'
import { measurePairs, type Pair, type PairFigures, type PairTiming } from '../load/measure-pair.js'
import { runLoadPlan } from '../load/run-load-plan.js'
import { mcpHeaders, openMcpSession, probeToolCall, TOOL_CALL_BODY } from '../targets/mcp-request.js'
import { logInWithSdkClient } from '../targets/sdk-client-login.js'
import type { Fleet } from './fleet.js'

/** Figures 1–3: `tools/call greet` per second, each against another server, in pairs. */
export interface ThroughputResults {
  /** Ours with GitHub auth (SQLite store) over ours with auth `none`. */
  readonly authOverhead: PairFigures
  /** Ours authenticated over the SDK example with `--oauth`. */
  readonly sdkOauth: PairFigures
  /** Ours authenticated over the SDK example without auth. */
  readonly sdkPlain: PairFigures
  /** Ours authenticated over fastmcp behind its OAuth proxy. */
  readonly fastmcpProxy: PairFigures
  /** Ours authenticated over a bare Fastify route (the ceiling). */
  readonly ceiling: PairFigures
  /** Ours authenticated with an MCP session over the SDK example without auth (also on a session). */
  readonly sessions: PairFigures
  /** Ours authenticated, stateless and with a session, at fewer and more connections. */
  readonly connections: readonly ConnectionsFigures[]
}

/** `tools/call greet` to `url` with `headers`; `server`'s CPU is read around each step. */
function postTarget(
  key: string,
  server: { readonly process: { readonly pid: number } },
  url: string,
  headers: Record<string, string>,
): LoadTarget {
  return {
    key,
    url,
    method: 'POST',
    headers,
    body: TOOL_CALL_BODY,
    idReplacement: true,
    pid: server.process.pid,
  }
}

/** The load targets of the throughput pairs, ready: logged in, sessions open, answers checked. */
export interface ThroughputTargets {
  readonly ours: LoadTarget
  readonly oursSessions: LoadTarget
  readonly none: LoadTarget
  readonly sdkOauth: LoadTarget
  readonly sdkPlain: LoadTarget
  readonly fastmcp: LoadTarget
  readonly bare: LoadTarget
}

/**
 * Logs in once on each protected server with the real SDK client, opens the MCP sessions the SDK
 * example needs (it keeps sessions; ours and fastmcp are stateless, ours also with a session),
 * and checks that every target answers the greeting.
 */
export async function prepareThroughput(servers: Fleet): Promise<ThroughputTargets> {
  const ourToken = await logInWithSdkClient(servers.ours.mcpUrl, 'mxcp serve')
  const oursSessionsToken = await logInWithSdkClient(servers.oursSessions.mcpUrl, 'mxcp serve (sessions)')
  const oursSession = await openMcpSession(
    servers.oursSessions.mcpUrl,
    oursSessionsToken,
    'mxcp serve (sessions)',
  )
  const sdkToken = await logInWithSdkClient(servers.sdkOauth.mcpUrl, 'SDK example --oauth')
  const fastmcpToken = await logInWithSdkClient(servers.fastmcp.mcpUrl, 'fastmcp')
  const sdkOauthSession = await openMcpSession(servers.sdkOauth.loadUrl, sdkToken, 'SDK example --oauth')
  const sdkPlainSession = await openMcpSession(servers.sdkPlain.loadUrl, undefined, 'SDK example')
  const targets: ThroughputTargets = {
    ours: postTarget('mxcp-github', servers.ours, servers.ours.mcpUrl, mcpHeaders({ token: ourToken })),
    oursSessions: postTarget(
      'mxcp-github-sessions',
      servers.oursSessions,
      servers.oursSessions.mcpUrl,
      mcpHeaders({ token: oursSessionsToken, sessionId: oursSession }),
    ),
    none: postTarget('mxcp-none', servers.none, servers.none.mcpUrl, mcpHeaders()),
    sdkOauth: postTarget(
      'sdk-example-oauth',
      servers.sdkOauth,
      servers.sdkOauth.loadUrl,
      mcpHeaders({ token: sdkToken, sessionId: sdkOauthSession }),
    ),
    sdkPlain: postTarget(
      'sdk-example',
      servers.sdkPlain,
      servers.sdkPlain.loadUrl,
      mcpHeaders({ sessionId: sdkPlainSession }),
    ),
    fastmcp: postTarget(
      'fastmcp-oauth-proxy',
      servers.fastmcp,
      servers.fastmcp.mcpUrl,
      mcpHeaders({ token: fastmcpToken }),
    ),
    bare: postTarget('bare-fastify', servers.bare, servers.bare.mcpUrl, mcpHeaders()),
  }
  for (const target of Object.values(targets)) await probeToolCall(target.url, target.headers, target.key)
  return targets
}

/**
 * Warms every target up (JIT, DuckDB, connection pools) with the same load, one after the other
 * in one load process, so that each gets the CPU for it.
 */
export async function warmUp(
  targets: ThroughputTargets,
  seconds: number,
  connections: number,
): Promise<void> {
  const all = Object.values(targets)
  await runLoadPlan({
    connections,
    targets: all,
    steps: all.map((target) => ({ target: target.key, seconds, record: false })),
  })
}

/** How long each pair is measured; the auth-overhead pair, whose bar is closest, gets longer. */
export interface ThroughputTiming {
  readonly connections: number
  readonly authOverhead: PairTiming
  readonly others: PairTiming
  /** The latency figures: ours at `connections` and at `moreConnections`. */
  readonly moreConnections: number
  readonly latency: ConnectionsTiming
}

/** Measures the pairs, ours first in each, back to back, in one load process. */
export async function runThroughput(
  targets: ThroughputTargets,
  timing: ThroughputTiming,
): Promise<ThroughputResults> {
  const pair = (label: string, b: LoadTarget, pairTiming: PairTiming, a = targets.ours): Pair => ({
    label,
    a,
    b,
    timing: pairTiming,
  })
  const [authOverhead, sdkOauth, sdkPlain, fastmcpProxy, ceiling, sessions] = (await measurePairs(
    [
      pair('authOverhead', targets.none, timing.authOverhead),
      pair('sdkOauth', targets.sdkOauth, timing.others),
      pair('sdkPlain', targets.sdkPlain, timing.others),
      pair('fastmcpProxy', targets.fastmcp, timing.others),
      pair('ceiling', targets.bare, timing.others),
      pair('sessions', targets.sdkPlain, timing.others, targets.oursSessions),
    ],
    timing.connections,
  )) as [PairFigures, PairFigures, PairFigures, PairFigures, PairFigures, PairFigures]
  const connections = await measureConnections(
    [targets.ours, targets.oursSessions],
    { low: timing.connections, high: timing.moreConnections },
    timing.latency,
  )
  return { authOverhead, sdkOauth, sdkPlain, fastmcpProxy, ceiling, sessions, connections }
}
