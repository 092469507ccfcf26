import type { SessionLimits } from '../http/owned-sessions.js'
import type { HttpTimeouts } from './http-timeouts.js'

/** The MCP transports `mxcp serve` speaks (`--transport`, `transport.provider`). */
export const TRANSPORTS = ['streamable-http', 'sse', 'stdio'] as const

/** One of {@link TRANSPORTS}. */
export type TransportName = (typeof TRANSPORTS)[number]

/** Command-line settings that override the configuration files. */
export interface ServeOverrides {
  readonly host?: string | undefined
  readonly port?: number | undefined
  /** `--sql-tools true|false`: overrides `sql_tools.enabled` of `mxcp-site.yml`. */
  readonly sqlTools?: boolean | undefined
  /** `--readonly`: open DuckDB read-only. */
  readonly readonly?: boolean | undefined
  /** `--stateless` / `--no-stateless`: overrides `transport.http.stateless`. */
  readonly stateless?: boolean | undefined
  /** Caps on open MCP sessions (embedding, tests); default per `McpSessions`. */
  readonly sessionLimits?: Partial<SessionLimits> | undefined
  /** HTTP server timeouts (embedding, tests); default `DEFAULT_HTTP_TIMEOUTS`. */
  readonly httpTimeouts?: Partial<HttpTimeouts> | undefined
  /** `--transport`: overrides `transport.provider`. */
  readonly transport?: TransportName | undefined
}
