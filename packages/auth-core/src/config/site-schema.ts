import Type from 'typebox'

const strict = { additionalProperties: false } as const

/** `mxcp-site.yml` in the project folder. */
export const SiteConfigSchema = Type.Object(
  {
    mxcp: Type.Union([Type.Literal(1), Type.Literal('1')]),
    project: Type.String({ minLength: 1 }),
    profile: Type.Optional(Type.String({ minLength: 1, default: 'default' })),
    // Extensions loaded when the database is opened, before it is locked down (they must be
    // installed already: nothing is downloaded). After that no extension can be loaded.
    extensions: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]*$' }), { default: [] })),
    sql_tools: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ default: false })),
          // Caps on what execute_sql_query returns (an error names the cap when a result passes it).
          max_rows: Type.Optional(Type.Integer({ minimum: 1, default: 10_000 })),
          max_bytes: Type.Optional(Type.Integer({ minimum: 1024, default: 4 * 1024 * 1024 })),
        },
        { ...strict, default: {} },
      ),
    ),
    profiles: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            duckdb: Type.Optional(
              Type.Object(
                {
                  path: Type.Optional(Type.String()),
                  readonly: Type.Optional(Type.Boolean({ default: false })),
                  // What SQL may read or write beyond the data folder and the DuckDB file: files,
                  // folders (ending in '/') and URL prefixes (e.g. 'https://api.github.com/').
                  allowed_paths: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [] })),
                  // Seconds one query may run before it is interrupted.
                  query_timeout: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 30 })),
                  // Connections of the pool one user may hold at once (default: half the pool).
                  max_connections_per_user: Type.Optional(Type.Integer({ minimum: 1 })),
                },
                strict,
              ),
            ),
            audit: Type.Optional(
              Type.Object(
                {
                  enabled: Type.Optional(Type.Boolean({ default: false })),
                  path: Type.Optional(Type.String({ minLength: 1, default: 'audit/logs.jsonl' })),
                  include_arguments: Type.Optional(Type.Boolean({ default: false })),
                },
                strict,
              ),
            ),
            metrics: Type.Optional(
              Type.Object(
                {
                  enabled: Type.Optional(Type.Boolean({ default: false })),
                  host: Type.Optional(Type.String({ minLength: 1, default: '127.0.0.1' })),
                  port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
                },
                strict,
              ),
            ),
          },
          strict,
        ),
        { default: {} },
      ),
    ),
    paths: Type.Optional(
      Type.Object(
        {
          tools: Type.Optional(Type.String({ default: 'tools' })),
          resources: Type.Optional(Type.String({ default: 'resources' })),
          prompts: Type.Optional(Type.String({ default: 'prompts' })),
          sql: Type.Optional(Type.String({ default: 'sql' })),
          data: Type.Optional(Type.String({ default: 'data' })),
        },
        { ...strict, default: {} },
      ),
    ),
  },
  strict,
)

export interface SiteConfig {
  mxcp: 1 | '1'
  project: string
  profile: string
  extensions?: string[] | undefined
  sql_tools: { enabled: boolean; max_rows?: number | undefined; max_bytes?: number | undefined }
  profiles: Record<
    string,
    {
      duckdb?: DuckdbProfileConfig | undefined
      /** MXCP's audit trail: one JSON line per event, appended to `path` (relative to the project). */
      audit?: AuditSettings | undefined
      /** Prometheus metrics: on their own listener (`port`), else on `/metrics` behind `MXCP_METRICS_TOKEN`. */
      metrics?: MetricsSettings | undefined
    }
  >
  paths: { tools: string; resources: string; prompts: string; sql: string; data: string }
}

/** A profile's `duckdb` block. */
export interface DuckdbProfileConfig {
  path?: string | undefined
  readonly: boolean
  allowed_paths?: string[] | undefined
  query_timeout?: number | undefined
  max_connections_per_user?: number | undefined
}

/** `profiles.<name>.audit` of `mxcp-site.yml`. */
export interface AuditSettings {
  enabled: boolean
  path: string
  /** Record tool, resource and prompt arguments too (never values of secret-looking keys). */
  include_arguments: boolean
}

/** `profiles.<name>.metrics` of `mxcp-site.yml`. */
export interface MetricsSettings {
  enabled: boolean
  host: string
  port?: number | undefined
}
