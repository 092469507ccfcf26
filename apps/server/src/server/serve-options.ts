import type { SessionLimits } from '../http/mcp-sessions.js'
import type { HttpTimeouts } from './http-timeouts.js'

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
}
