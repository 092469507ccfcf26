import { Agent } from 'undici'

/** How long opening a connection to an identity provider may take (TCP and TLS), ms. */
export const DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS = 3_000
/** How long one whole call to an identity provider may take, ms. */
export const DEFAULT_UPSTREAM_TOTAL_TIMEOUT_MS = 10_000

/** One connection pool per connect timeout, shared by every call that uses that timeout. */
const agents = new Map<number, Agent>()

function connectBounded(connectMs: number): Agent {
  let agent = agents.get(connectMs)
  if (!agent) {
    agent = new Agent({ connect: { timeout: connectMs } })
    agents.set(connectMs, agent)
  }
  return agent
}

export interface UpstreamDeadlines {
  readonly totalMs?: number | undefined
  readonly connectMs?: number | undefined
  /** An injected `fetch` (tests, custom agents) brings its own connection handling. */
  readonly injectedFetch: boolean
}

/**
 * The `RequestInit` members that bound one upstream call: a total deadline (an `AbortSignal`, which
 * also ends a body still streaming) and, with Node's own `fetch`, a connect deadline, so a provider
 * whose address swallows packets fails in seconds rather than after the whole budget.
 */
export function deadlineInit(deadlines: UpstreamDeadlines): { signal: AbortSignal; dispatcher?: Agent } {
  const signal = AbortSignal.timeout(deadlines.totalMs ?? DEFAULT_UPSTREAM_TOTAL_TIMEOUT_MS)
  if (deadlines.injectedFetch) return { signal }
  return { signal, dispatcher: connectBounded(deadlines.connectMs ?? DEFAULT_UPSTREAM_CONNECT_TIMEOUT_MS) }
}
