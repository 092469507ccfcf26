import type { Server } from 'node:http'
import { isAbsolute, join } from 'node:path'
import type { AuthEventSink, ResolvedConfig } from '@mxcp/auth-core'
import { upstreamTransport } from '@mxcp/auth-core/provider-kit'
import type { UserPool } from '@mxcp/duckdb-user-fns'
import type { FastifyInstance } from 'fastify'
import { recordOfAuthEvent } from '../audit/audit-record.js'
import { AuditWriter } from '../audit/audit-writer.js'
import type { Catalog } from '../mcp/served-items.js'
import { countAuthEvent, ServerMetrics } from './metrics.js'
import { listenForMetrics, METRICS_TOKEN_ENV, registerMetricsRoute } from './metrics-endpoint.js'
import { observeCatalog } from './observed-catalog.js'
import { observedFetch } from './observed-fetch.js'
import { observePool } from './observed-pool.js'

/** The default audit file, relative to the project (MXCP's). */
export const DEFAULT_AUDIT_PATH = 'audit/logs.jsonl'

/** Where the audit file of the active profile is, or undefined when auditing is off. */
export function auditPath(config: ResolvedConfig): string | undefined {
  const audit = config.site.profiles[config.profileName]?.audit
  if (!audit?.enabled) return undefined
  const path = audit.path ?? DEFAULT_AUDIT_PATH
  return isAbsolute(path) ? path : join(config.projectDir, path)
}

/** What the rest of the server plugs in: each piece is a no-op when its feature is off. */
export interface Observability {
  readonly metrics: ServerMetrics | undefined
  readonly audit: AuditWriter | undefined
  /** The sink for `mxcpAuth`'s events: audit lines and sign-in/token counters. */
  readonly events: AuthEventSink
  /** The `fetch` the identity provider gets: debug lines and latency metrics per call. */
  providerFetch(provider: string): typeof fetch
  observeCatalog(catalog: Catalog): Catalog
  observePool(pool: UserPool): UserPool
  /** Starts the metrics listener when `metrics.port` is set; resolves with its port. */
  listen(): Promise<number | undefined>
}

/**
 * The audit trail (`audit.enabled`, `audit.path`, `audit.include_arguments` of the site profile)
 * and the Prometheus metrics (`metrics.enabled`: on `metrics.host:metrics.port`, or on `/metrics`
 * behind `MXCP_METRICS_TOKEN`), set up on `app`; both closed with it. Throws when metrics are on
 * without a port and without a token (never open by accident).
 */
export function setUpObservability(
  app: FastifyInstance,
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Observability {
  const profile = config.site.profiles[config.profileName]
  const path = auditPath(config)
  const audit = path === undefined ? undefined : new AuditWriter(path, app.log)
  const metricsSettings = profile?.metrics
  const metrics = metricsSettings?.enabled ? new ServerMetrics() : undefined
  let metricsServer: Server | undefined
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.requests.inc({
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: String(reply.statusCode),
      })
    })
    if (metricsSettings?.port === undefined) registerMetricsRoute(app, metrics, env[METRICS_TOKEN_ENV] ?? '')
  }
  app.addHook('onClose', async () => {
    await audit?.close()
    if (metricsServer) await new Promise((resolve) => metricsServer?.close(resolve))
  })
  return {
    metrics,
    audit,
    events: (event) => {
      if (event.type !== 'sweep') audit?.write(recordOfAuthEvent(event, new Date()))
      if (metrics) countAuthEvent(metrics, event)
    },
    // Timed around the plugin's own transport (undici `request`), not the heavier global `fetch`.
    providerFetch: (provider) => observedFetch(provider, app.log, metrics, upstreamTransport),
    observeCatalog: (catalog) =>
      observeCatalog(catalog, {
        audit,
        metrics,
        includeArguments: profile?.audit?.include_arguments ?? false,
      }),
    observePool: (pool) => (metrics ? observePool(pool, () => metrics) : pool),
    async listen() {
      if (!metrics || metricsSettings?.port === undefined) return undefined
      metricsServer = await listenForMetrics(
        metrics,
        metricsSettings.host ?? '127.0.0.1',
        metricsSettings.port,
      )
      const address = metricsServer.address()
      return address !== null && typeof address === 'object' ? address.port : undefined
    },
  }
}
