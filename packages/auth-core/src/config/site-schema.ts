import Type from 'typebox'

const strict = { additionalProperties: false } as const

/** `mxcp-site.yml` in the project folder. */
export const SiteConfigSchema = Type.Object(
  {
    mxcp: Type.Union([Type.Literal(1), Type.Literal('1')]),
    project: Type.String({ minLength: 1 }),
    profile: Type.Optional(Type.String({ minLength: 1, default: 'default' })),
    sql_tools: Type.Optional(
      Type.Object({ enabled: Type.Optional(Type.Boolean({ default: false })) }, { ...strict, default: {} }),
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
  sql_tools: { enabled: boolean }
  profiles: Record<
    string,
    {
      duckdb?: { path?: string | undefined; readonly: boolean } | undefined
      /** MXCP's audit trail: one JSON line per event, appended to `path` (relative to the project). */
      audit?: AuditSettings | undefined
      /** Prometheus metrics: on their own listener (`port`), else on `/metrics` behind `MXCP_METRICS_TOKEN`. */
      metrics?: MetricsSettings | undefined
    }
  >
  paths: { tools: string; resources: string; prompts: string; sql: string; data: string }
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
