import Type, { type Static } from 'typebox'

const strict = { additionalProperties: false } as const

/** The MCP CLI's loopback callback: the guide's default for a pre-registered client. */
export const DEFAULT_CLIENT_REDIRECT_URIS = [
  'http://127.0.0.1:49153/oauth/callback',
  'http://localhost:49153/oauth/callback',
]

/** A pre-registered client (`auth.clients[]`). Never written to the store. */
export const ClientConfigSchema = Type.Object(
  {
    client_id: Type.String({ minLength: 1 }),
    client_secret: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1 }),
    redirect_uris: Type.Optional(Type.Array(Type.String(), { default: DEFAULT_CLIENT_REDIRECT_URIS })),
    grant_types: Type.Optional(
      Type.Array(Type.Union([Type.Literal('authorization_code'), Type.Literal('refresh_token')]), {
        default: ['authorization_code'],
      }),
    ),
    scopes: Type.Optional(Type.Array(Type.String(), { default: ['mxcp:access'] })),
  },
  strict,
)

/** `auth.persistence`. Without the block, OAuth state lives in memory. */
export const PersistenceConfigSchema = Type.Object(
  {
    type: Type.Optional(
      Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], { default: 'sqlite' }),
    ),
    /** SQLite file. */
    path: Type.Optional(Type.String({ default: '~/.mxcp/oauth.db' })),
    /** Key for upstream tokens at rest (AES-256-GCM); any string, stretched with HKDF. */
    encryption_key: Type.Optional(Type.String()),
    /** SQLite without `encryption_key`: where the generated key lives (default `~/.mxcp/keys/`). */
    key_file: Type.Optional(Type.String({ minLength: 1 })),
    /** PostgreSQL connection URL. */
    url: Type.Optional(Type.String()),
    pool_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  strict,
)

/**
 * Who a rule of `auth.authorization.scope_grants` selects: a user matching ANY list is selected.
 * `users` holds the provider's stable user id (GitHub numeric id, Atlassian `account_id`, OIDC
 * `sub`, Salesforce 15- or 18-character user id) or the username; `groups` and `roles` come from
 * OIDC providers (Keycloak mappers, see the README).
 */
export const ScopeGrantRuleSchema = Type.Object(
  {
    users: Type.Optional(Type.Array(Type.String(), { default: [] })),
    email_domains: Type.Optional(Type.Array(Type.String(), { default: [] })),
    organizations: Type.Optional(Type.Array(Type.String(), { default: [] })),
    groups: Type.Optional(Type.Array(Type.String(), { default: [] })),
    roles: Type.Optional(Type.Array(Type.String(), { default: [] })),
  },
  strict,
)

/** `auth.authorization`: what a token must carry, and who may log in at all. */
export const AuthorizationConfigSchema = Type.Object(
  {
    /** Every one of these scopes is required (403 `insufficient_scope` otherwise). */
    required_scopes: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /** Usernames (at the provider) allowed to log in; empty = anyone. */
    allowed_users: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /** Email domains allowed to log in; empty = any. */
    allowed_email_domains: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /** GitHub organizations whose members may log in (needs the `read:org` scope); empty = any. */
    allowed_organizations: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /** Keycloak/OIDC groups whose members may log in (needs a groups mapper); empty = any. */
    allowed_groups: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /** Keycloak/OIDC realm or client roles whose holders may log in (needs a roles mapper); empty = any. */
    allowed_roles: Type.Optional(Type.Array(Type.String(), { default: [] })),
    /**
     * Scopes every signed-in user is granted. The only scopes a self-registered or
     * metadata-document client can obtain for a user who holds no grant.
     */
    default_scopes: Type.Optional(Type.Array(Type.String(), { default: ['mxcp:access'] })),
    /** Further scopes, each granted to the users one rule selects (scope → rule). */
    scope_grants: Type.Optional(Type.Record(Type.String(), ScopeGrantRuleSchema, { default: {} })),
  },
  strict,
)

/** `auth.rate_limit`: per client address, on /authorize, /consent, /token, /register, /revoke and the provider callback. */
export const RateLimitConfigSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ default: true })),
    max: Type.Optional(Type.Integer({ minimum: 1, default: 60 })),
    window_seconds: Type.Optional(Type.Integer({ minimum: 1, default: 60 })),
  },
  strict,
)

/**
 * `auth.client_metadata`: Client ID Metadata Documents (MCP authorization 2025-11-25 §5.1), MCP
 * clients whose `client_id` is an https URL serving their metadata. Not in the MXCP guide; the
 * defaults are the safe ones (public hosts on port 443 only, a few KB, a short timeout).
 */
export const ClientMetadataConfigSchema = Type.Object(
  {
    /** Accept metadata-document clients at all (and advertise it in the server metadata). */
    enabled: Type.Optional(Type.Boolean({ default: true })),
    /** When non-empty, only client_ids on these hosts (`app.example.com`, or `*.example.com` for subdomains). */
    allowed_hosts: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [] })),
    /** Fetch from hosts that resolve to loopback, private or link-local addresses (needs `allowed_hosts`). */
    allow_private_hosts: Type.Optional(Type.Boolean({ default: false })),
    /** Ports a client_id URL may name. */
    allowed_ports: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { minItems: 1, default: [443] }),
    ),
    /** Largest accepted document, bytes. */
    max_bytes: Type.Optional(Type.Integer({ minimum: 256, maximum: 65536, default: 5120 })),
    /** How long one fetch may take in all, milliseconds. */
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30000, default: 3000 })),
    /** A fetched document is kept at least this long, whatever its caching headers say, seconds. */
    cache_min_seconds: Type.Optional(Type.Integer({ minimum: 0, default: 60 })),
    /** …and at most this long (also how long a copy may stand in when a refetch fails), seconds. */
    cache_max_seconds: Type.Optional(Type.Integer({ minimum: 1, default: 86400 })),
  },
  strict,
)

/** The `auth` block of a profile. Every key of the guide, with its default. */
export const AuthConfigSchema = Type.Object(
  {
    /**
     * The identity provider: `none`, or the id of a registered provider (the built-in ones, or
     * the one `provider_module` serves). Its block, `auth.<id>`, is checked by the provider's
     * own schema.
     */
    provider: Type.Optional(Type.String({ minLength: 1, default: 'none' })),
    /**
     * A module (a path, relative to the project folder, or a package name) whose default export
     * is a provider definition (`defineProvider`): how a server that loads providers by name
     * (`mxcp serve`) uses a provider it does not ship.
     */
    provider_module: Type.Optional(Type.String({ minLength: 1 })),
    clients: Type.Optional(Type.Array(ClientConfigSchema, { default: [] })),
    persistence: Type.Optional(PersistenceConfigSchema),
    authorization: Type.Optional(AuthorizationConfigSchema),
    /** Refresh an upstream token this many seconds before it expires (single flight, all replicas). */
    upstream_refresh_skew_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, default: 60 })),
    /** Seconds a user context is cached before it is fetched again from the provider. */
    cache_ttl: Type.Optional(Type.Integer({ minimum: 1, default: 300 })),
    /** Lifetime of our access tokens, seconds (the guide: 1 hour). */
    access_token_ttl: Type.Optional(Type.Integer({ minimum: 60, default: 3600 })),
    /** Lifetime of our refresh tokens, seconds (30 days). */
    refresh_token_ttl: Type.Optional(Type.Integer({ minimum: 60, default: 2_592_000 })),
    /** Lifetime of our authorization codes, seconds (RFC 6749 §4.1.2: short, at most 10 minutes). */
    authorization_code_ttl: Type.Optional(Type.Integer({ minimum: 10, maximum: 600, default: 60 })),
    /**
     * Seconds a dynamically registered client may go unused (no token issued) before its
     * registration expires and is swept (90 days).
     */
    registered_client_ttl: Type.Optional(Type.Integer({ minimum: 60, default: 7_776_000 })),
    /** Seconds a dynamically registered client has to complete its first sign-in (24 hours). */
    unproven_client_ttl: Type.Optional(Type.Integer({ minimum: 60, default: 86_400 })),
    /**
     * Seconds a just-rotated refresh token stays redeemable by its own client while its successor
     * is unused, so a lost token response does not count as theft and end the session. 0 = off.
     */
    refresh_grace_period: Type.Optional(Type.Integer({ minimum: 0, maximum: 300, default: 30 })),
    /** Seconds a sign-in may take end to end at the provider's side before the user is told it is not answering. */
    sign_in_timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, default: 15 })),
    /**
     * Seconds past `cache_ttl` a signed-in user is still served with the last known profile while the
     * provider cannot be reached (network error, timeout, 5xx, 429). 0 = strict: 503 at once.
     */
    stale_cache_ttl: Type.Optional(Type.Integer({ minimum: 0, default: 300 })),
    rate_limit: Type.Optional(RateLimitConfigSchema),
    client_metadata: Type.Optional(ClientMetadataConfigSchema),
  },
  strict,
)

type Filled<T> = { [K in keyof T]-?: Exclude<T[K], undefined> }
type ClientFilled = Filled<Static<typeof ClientConfigSchema>> & { client_secret?: string | undefined }

/**
 * The configuration blocks of identity providers (`auth.github`, `auth.gitlab`…), as their
 * packages declare them: each provider package adds its block to this interface
 * (`declare module '@mxcp/auth-core' { interface ProviderBlocks { github?: GitHubConfig } }`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: provider packages merge their blocks into it
export interface ProviderBlocks {}

/**
 * A validated `auth` block with every default filled in. The active provider's block is
 * checked by its provider's schema (with the provider registry the loader was given) and is
 * `auth[auth.provider]`.
 */
export interface AuthConfig
  extends ProviderBlocks,
    Omit<
      Filled<Static<typeof AuthConfigSchema>>,
      'clients' | 'persistence' | 'authorization' | 'rate_limit' | 'client_metadata' | 'provider_module'
    > {
  provider_module?: string | undefined
  clients: ClientFilled[]
  persistence?: Filled<
    Omit<Static<typeof PersistenceConfigSchema>, 'encryption_key' | 'url' | 'key_file'>
  > & {
    encryption_key?: string | undefined
    key_file?: string | undefined
    url?: string | undefined
  }
  authorization: Filled<Omit<Static<typeof AuthorizationConfigSchema>, 'scope_grants'>> & {
    scope_grants: Record<string, ScopeGrantRule>
  }
  rate_limit: Filled<Static<typeof RateLimitConfigSchema>>
  client_metadata: Filled<Static<typeof ClientMetadataConfigSchema>>
}
export type ClientConfig = AuthConfig['clients'][number]
/** One rule of `auth.authorization.scope_grants` (a list left out names nobody). */
export type ScopeGrantRule = Static<typeof ScopeGrantRuleSchema>
