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
  profiles: Record<string, { duckdb?: { path?: string | undefined; readonly: boolean } | undefined }>
  paths: { tools: string; resources: string; prompts: string; sql: string; data: string }
}
