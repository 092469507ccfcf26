import type { AuthEvent } from '@mxcp/auth-core'
import { Counter, Histogram, Registry } from 'prom-client'

/** Latency buckets in seconds: a millisecond up to the 10 s upstream deadline. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** What `/metrics` shows of a metric besides its values. */
interface MetricSpec<Label extends string> {
  readonly name: string
  readonly help: string
  readonly labelNames?: readonly Label[]
}

/** Every metric of the server, as `/metrics` names and describes it. */
const METRICS = {
  requests: {
    name: 'mxcp_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'],
  },
  signIns: {
    name: 'mxcp_sign_ins_total',
    help: 'Sign-ins that reached an end, by outcome (success, refused, failed) and failed step',
    labelNames: ['outcome', 'step'],
  },
  tokens: {
    name: 'mxcp_tokens_total',
    help: 'Token endpoint outcomes: issued (code exchanged), refreshed, revoked, replay_detected',
    labelNames: ['event'],
  },
  upstream: {
    name: 'mxcp_upstream_request_duration_seconds',
    help: 'Calls to the identity provider, by provider and status (0: no answer)',
    labelNames: ['provider', 'status'],
  },
  sql: {
    name: 'mxcp_sql_duration_seconds',
    help: 'SQL run for tools, resources and prompts, by item name',
    labelNames: ['item'],
  },
  swept: {
    name: 'mxcp_swept_total',
    help: 'Expired OAuth rows and registrations removed by housekeeping, by kind',
    labelNames: ['kind'],
  },
  poolWait: {
    name: 'mxcp_duckdb_pool_wait_seconds',
    help: 'Time a request waited for a DuckDB connection of the pool',
  },
} as const satisfies Record<string, MetricSpec<string>>

/**
 * The server's Prometheus metrics (prom-client), on a registry of their own so two servers in
 * one process (tests) never share counters. Labels are bounded sets: route patterns (never raw
 * URLs), status codes, outcomes, provider ids and tool names from the project's YAML. The fields
 * are registered in the order they are declared, which is the order `/metrics` lists them in.
 */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly requests = this.#counter(METRICS.requests)
  readonly signIns = this.#counter(METRICS.signIns)
  readonly tokens = this.#counter(METRICS.tokens)
  readonly upstream = this.#histogram(METRICS.upstream)
  readonly sql = this.#histogram(METRICS.sql)
  readonly swept = this.#counter(METRICS.swept)
  readonly poolWait = this.#histogram(METRICS.poolWait)

  #counter<Label extends string>(spec: MetricSpec<Label>): Counter<Label> {
    return new Counter({ ...spec, registers: [this.registry] })
  }

  #histogram<Label extends string>(spec: MetricSpec<Label>): Histogram<Label> {
    return new Histogram({ ...spec, buckets: BUCKETS, registers: [this.registry] })
  }
}

/** Counts one authorization server event: sign-ins, tokens, and what housekeeping removed. */
export function countAuthEvent(metrics: ServerMetrics, event: AuthEvent): void {
  if (event.type === 'sign_in') metrics.signIns.inc({ outcome: event.status, step: event.step ?? '' })
  else if (event.type === 'token_issued') metrics.tokens.inc({ event: 'issued' })
  else if (event.type === 'token_refreshed') metrics.tokens.inc({ event: 'refreshed' })
  else if (event.type === 'token_revoked') metrics.tokens.inc({ event: 'revoked' })
  else if (event.type === 'replay_detected') metrics.tokens.inc({ event: 'replay_detected' })
  else if (event.type === 'client_expired') metrics.swept.inc({ kind: 'expired_registrations' })
  else if (event.type === 'sweep')
    for (const [kind, count] of Object.entries(event.counts))
      if (count > 0) metrics.swept.inc({ kind }, count)
}
