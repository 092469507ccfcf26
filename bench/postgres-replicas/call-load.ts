import autocannon from 'autocannon'

export interface CallLoadResult {
  readonly calls: number
  readonly failures: number
  readonly seconds: number
}

/**
 * Authenticated MCP calls (`tools/call whoami`, which runs SQL on DuckDB as the caller) for
 * `seconds`, spread evenly over the replicas: one autocannon per replica with its share of the
 * connections, as a balancer holding keep-alive connections to each would.
 */
export async function runCallLoad(
  origins: readonly string[],
  accessToken: string,
  connections: number,
  seconds: number,
): Promise<CallLoadResult> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'whoami', arguments: {} },
  })
  const runs = await Promise.all(
    origins.map((origin) =>
      autocannon({
        url: `${origin}/mcp`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-06-18',
        },
        body,
        connections: Math.max(1, Math.round(connections / origins.length)),
        duration: seconds,
      }),
    ),
  )
  let calls = 0
  let failures = 0
  for (const run of runs) {
    calls += run['2xx']
    failures += run.non2xx + run.errors + run.timeouts
  }
  return { calls, failures, seconds }
}
