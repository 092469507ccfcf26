import {
  ConfigError,
  type ResolvedConfig,
  type TransportConfig,
  type UpstreamProvider,
} from '@mxcp/auth-core'
import { compileTrust, normalizeBaseUrl } from '@mxcp/auth-core/server-kit'
import { createProvider } from '../auth/server-providers.js'
import type { ProjectDefinitions } from '../definitions/definition-types.js'
import { loadDefinitions } from '../definitions/load-definitions.js'
import { BUILTIN_SQL_TOOL_NAMES } from '../mcp/builtin-sql-tools.js'
import type { ServeOverrides, TransportName } from './serve-options.js'

/** What `serve` needs once the configuration has passed every check. */
export interface CheckedServeConfig {
  /** `transport.http` with the command-line overrides applied. */
  readonly http: TransportConfig['http']
  /** `--transport`, else `transport.provider`. */
  readonly transport: TransportName
  /** Undefined for provider `none`. */
  readonly provider: UpstreamProvider | undefined
  readonly sqlTools: boolean
  readonly definitions: ProjectDefinitions
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Every check `mxcp serve` makes before it opens anything, in ONE place that `mxcp config validate`
 * runs too, so "valid" means `serve` starts (ARCHITECTURE invariant 11): `base_url` is an origin (https off loopback), `trust_proxy` names proxies that
 * parse, the provider can be built from its block (its endpoints https off loopback), and the
 * project's YAML definitions load. Problems name the configuration keys, never internal option
 * names; all of them are reported at once.
 */
export function checkServeConfig(config: ResolvedConfig, overrides: ServeOverrides = {}): CheckedServeConfig {
  const source = config.userConfigPath ?? 'user config'
  const http = {
    ...config.transport.http,
    ...(overrides.host !== undefined && { host: overrides.host }),
    ...(overrides.port !== undefined && { port: overrides.port }),
    ...(overrides.stateless !== undefined && { stateless: overrides.stateless }),
  }
  // streamable-http, sse and stdio are all served (`--transport` wins over the configuration).
  const transport = overrides.transport ?? config.transport.provider
  const problems: string[] = []
  if (http.base_url) {
    try {
      normalizeBaseUrl(http.base_url)
    } catch (error) {
      problems.push(`transport.http.base_url: ${message(error).replace(/^urls\.baseUrl\s*/, '')}`)
    }
  }
  try {
    compileTrust(http.trust_proxy)
  } catch (error) {
    problems.push(`transport.http.trust_proxy: ${message(error)}`)
  }
  let provider: UpstreamProvider | undefined
  try {
    provider = createProvider(config)
  } catch (error) {
    const text = message(error)
    problems.push(text.startsWith(`${config.auth.provider}.`) ? `auth.${text}` : `auth: ${text}`)
  }
  if (problems.length > 0) throw ConfigError.many(source, problems)
  const sqlTools = overrides.sqlTools ?? config.site.sql_tools.enabled
  const definitions = loadDefinitions({
    projectDir: config.projectDir,
    paths: config.site.paths,
    reservedToolNames: sqlTools ? BUILTIN_SQL_TOOL_NAMES : [],
  })
  return { http, transport, provider, sqlTools, definitions }
}
