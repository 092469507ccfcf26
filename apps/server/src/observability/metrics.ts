import type { AuthEvent } from '@mxcp/auth-core'
import { Counter, Histogram, Registry } from 'prom-client'

/** Latency buckets in seconds: a millisecond up to the 10 s upstream deadline. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * The server's Prometheus metrics (prom-client), on a registry of their own so two servers in
 * one process (tests) never share counters. Labels are bounded sets: route patterns (never raw
 * URLs), status codes, outcomes, provider ids and tool names from the project's YAML.
 */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly requests = new Counter({
    name: 'mxcp_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  })
  readonly signIns = new Counter({
    name: 'mxcp_sign_ins_total',
    help: 'Sign-ins that reached an end, by outcome (success, refused, failed) and failed step',
    labelNames: ['outcome', 'step'] as const,
    registers: [this.registry],
  })
  readonly tokens = new Counter({
    name: 'mxcp_tokens_total',
    help: 'Token endpoint outcomes: issued (code exchanged), refreshed, revoked, replay_detected',
    labelNames: ['event'] as const,
    registers: [this.registry],
  })
  readonly upstream = new Histogram({
    name: 'mxcp_upstream_request_duration_seconds',
    help: 'Calls to the identity provider, by provider and status (0: no answer)',
    labelNames: ['provider', 'status'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  })
  readonly sql = new Histogram({
    name: 'mxcp_sql_duration_seconds',
    help: 'SQL run for tools, resources and prompts, by item name',
    labelNames: ['item'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  })
  readonly swept = new Counter({
    name: 'mxcp_swept_total',
    help: 'Expired OAuth rows and registrations removed by housekeeping, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  })
  readonly poolWait = new Histogram({
    name: 'mxcp_duckdb_pool_wait_seconds',
    help: 'Time a request waited for a DuckDB connection of the pool',
    buckets: BUCKETS,
    registers: [this.registry],
  })
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
