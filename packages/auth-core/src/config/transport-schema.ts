import Type, { type Static } from 'typebox'

const strict = { additionalProperties: false } as const

/** Top-level `transport` of the user config. */
export const TransportConfigSchema = Type.Object(
  {
    provider: Type.Optional(
      Type.Union([Type.Literal('streamable-http'), Type.Literal('sse'), Type.Literal('stdio')], {
        default: 'streamable-http',
      }),
    ),
    http: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ default: 'localhost' })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 8000 })),
          /** Scheme of the URLs we hand out (behind a TLS-terminating proxy: `https`). */
          scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
          /** The complete external URL, e.g. `https://api.example.com`. Wins over everything else. */
          base_url: Type.Optional(Type.String()),
          /**
           * Which reverse proxies are trusted, as Fastify's `trustProxy`: `true` (one hop: the nearest
           * peer is the proxy), a number of hops, or proxy addresses/CIDR ranges (a list, or a
           * comma-separated string). Only from them are the `X-Forwarded-*` headers read.
           */
          trust_proxy: Type.Optional(
            Type.Union(
              [
                Type.Boolean(),
                Type.Integer({ minimum: 0, maximum: 32 }),
                Type.String({ minLength: 1 }),
                Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
              ],
              { default: false },
            ),
          ),
          /**
           * Without `base_url`: the host names this server answers for besides its listen host and
           * the loopback names (`api.example.com`, or `api.example.com:8443`). Any other `Host` is
           * refused (400), so the issuer is never what a request says (and DNS rebinding fails).
           */
          allowed_hosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [] })),
          /**
           * Stateless streamable HTTP: a fresh MCP server per request, no MCP sessions. The
           * default is MCP sessions, as in MXCP.
           */
          stateless: Type.Optional(Type.Boolean({ default: false })),
        },
        { ...strict, default: {} },
      ),
    ),
    /**
     * The stdio transport: OAuth does not apply (MCP authorization spec: stdio takes credentials
     * from the environment); the caller is the local user. Without `user`, the SQL user
     * functions return ''.
     */
    stdio: Type.Optional(
      Type.Object(
        {
          user: Type.Optional(
            Type.Object(
              {
                username: Type.String({ minLength: 1 }),
                email: Type.Optional(Type.String()),
                name: Type.Optional(Type.String()),
                /** The environment variable holding the token `get_user_external_token()` returns. */
                external_token_env: Type.Optional(Type.String({ minLength: 1 })),
              },
              strict,
            ),
          ),
        },
        { ...strict, default: {} },
      ),
    ),
  },
  strict,
)

export interface TransportConfig {
  provider: 'streamable-http' | 'sse' | 'stdio'
  http: {
    host: string
    port: number
    scheme?: 'http' | 'https' | undefined
    base_url?: string | undefined
    trust_proxy: boolean | number | string | string[]
    allowed_hosts: string[]
    stateless: boolean
  }
  stdio: {
    user?:
      | {
          username: string
          email?: string | undefined
          name?: string | undefined
          external_token_env?: string | undefined
        }
      | undefined
  }
}
export type RawTransportConfig = Static<typeof TransportConfigSchema>
