import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  type PgTableFn,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core'

/** `bytea`, which drizzle's pg-core has no builder for; node-postgres reads and writes it as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' })

/**
 * The OAuth tables, built with the table function of one PostgreSQL schema.
 *
 * One definition serves two callers: drizzle-kit builds the committed migrations from it with the
 * unqualified `pgTable` (see `migration-schema.ts`), and the store queries through
 * `pgSchema(name).table`, so every statement names its schema (`"mxcp_auth"."tokens"`) and nothing
 * depends on a connection's `search_path` (which poolers such as PgBouncer do not keep).
 *
 * Times are epoch milliseconds (`bigint`). Secrets never sit here in clear: tokens, codes, client
 * secrets, states and browser bindings arrive as SHA-256 hex from the caller; the upstream tokens and
 * our PKCE verifier towards the provider are AES-256-GCM ciphertext (`SealedBox` of @mxcp/auth-core).
 *
 * Structured values are JSON in `text` columns rather than `jsonb`: `jsonb` refuses the `\u0000`
 * escape that an identity provider's profile may well contain, and reorders keys.
 *
 * The return type is inferred on purpose: the drizzle table types are what this function produces.
 */
export function defineTables<Schema extends string | undefined>(table: PgTableFn<Schema>) {
  const millis = (name: string) => bigint(name, { mode: 'number' })
  /** What binds a code or token to its grant: client, session, family, scopes and audience. */
  const grantColumns = () => ({
    clientId: text('client_id').notNull(),
    sessionId: text('session_id').notNull(),
    familyId: text('family_id').notNull(),
    scopes: text('scopes').array().notNull(),
    resource: text('resource').notNull(),
  })

  /** Dynamically registered clients (RFC 7591). */
  const clients = table(
    'clients',
    {
      clientId: text('client_id').primaryKey(),
      clientSecretHash: text('client_secret_hash'),
      clientName: text('client_name').notNull(),
      redirectUris: text('redirect_uris').array().notNull(),
      grantTypes: text('grant_types').array().notNull(),
      responseTypes: text('response_types').array().notNull(),
      scopes: text('scopes').array().notNull(),
      tokenEndpointAuthMethod: text('token_endpoint_auth_method', {
        enum: ['none', 'client_secret_post', 'client_secret_basic'],
      }).notNull(),
      issuedAt: millis('issued_at').notNull(),
      secretExpiresAt: millis('secret_expires_at').notNull(),
      metadataJson: text('metadata_json').notNull(),
    },
    (t) => [
      check(
        'clients_token_endpoint_auth_method_check',
        sql`${t.tokenEndpointAuthMethod} in ('none', 'client_secret_post', 'client_secret_basic')`,
      ),
    ],
  )

  /** Upstream logins in flight, keyed by the SHA-256 of our state towards the provider. */
  const transactions = table(
    'transactions',
    {
      id: text('id').primaryKey(),
      clientId: text('client_id').notNull(),
      redirectUri: text('redirect_uri').notNull(),
      codeChallenge: text('code_challenge').notNull(),
      scopes: text('scopes').array().notNull(),
      resource: text('resource').notNull(),
      clientState: text('client_state'),
      upstreamCodeVerifierSealed: bytea('upstream_code_verifier_sealed').notNull(),
      browserBindingHash: text('browser_binding_hash').notNull(),
      createdAt: millis('created_at').notNull(),
      expiresAt: millis('expires_at').notNull(),
    },
    (t) => [index('transactions_expires_at_idx').on(t.expiresAt)],
  )

  /** Our authorization codes; a used code stays (consumed) until it expires, so a replay is seen. */
  const codes = table(
    'codes',
    {
      codeHash: text('code_hash').primaryKey(),
      redirectUri: text('redirect_uri').notNull(),
      codeChallenge: text('code_challenge').notNull(),
      ...grantColumns(),
      createdAt: millis('created_at').notNull(),
      expiresAt: millis('expires_at').notNull(),
      consumed: boolean('consumed').notNull().default(false),
      /** When the code was exchanged: the grace window for a lost token response. */
      consumedAt: millis('consumed_at'),
    },
    (t) => [index('codes_expires_at_idx').on(t.expiresAt)],
  )

  /** Our access and refresh tokens. */
  const tokens = table(
    'tokens',
    {
      tokenHash: text('token_hash').primaryKey(),
      kind: text('kind', { enum: ['access', 'refresh'] }).notNull(),
      ...grantColumns(),
      createdAt: millis('created_at').notNull(),
      expiresAt: millis('expires_at').notNull(),
      revoked: boolean('revoked').notNull().default(false),
      consumed: boolean('consumed').notNull().default(false),
      /** Refresh tokens, once rotated: when, and the hash of the successor (the grace window). */
      rotatedAt: millis('rotated_at'),
      successorHash: text('successor_hash'),
    },
    (t) => [
      check('tokens_kind_check', sql`${t.kind} in ('access', 'refresh')`),
      index('tokens_family_id_idx').on(t.familyId),
      index('tokens_session_id_idx').on(t.sessionId),
      index('tokens_client_id_idx').on(t.clientId),
      index('tokens_expires_at_idx').on(t.expiresAt),
    ],
  )

  /**
   * Families revoked by a replay, kept a while after the revocation: tokens another replica saves
   * into such a family afterwards (the winner of a code race finishing after the loser revoked)
   * are stored revoked. Not in the records: a store-side detail.
   */
  const revokedFamilies = table(
    'revoked_families',
    {
      familyId: text('family_id').primaryKey(),
      expiresAt: millis('expires_at').notNull(),
    },
    (t) => [index('revoked_families_expires_at_idx').on(t.expiresAt)],
  )

  /** Logged-in users with their provider's tokens (sealed). */
  const sessions = table(
    'sessions',
    {
      sessionId: text('session_id').primaryKey(),
      provider: text('provider').notNull(),
      userJson: text('user_json').notNull(),
      upstreamSealed: bytea('upstream_sealed').notNull(),
      userFetchedAt: millis('user_fetched_at').notNull(),
      createdAt: millis('created_at').notNull(),
      expiresAt: millis('expires_at').notNull(),
    },
    (t) => [index('sessions_expires_at_idx').on(t.expiresAt)],
  )

  /**
   * Key material bound to this database: `kdf_salt` (random, the HKDF salt) and `key_check` (a known
   * value sealed with the derived key), written by the first replica that starts. A replica
   * configured with another key cannot open `key_check` and refuses to start.
   */
  const meta = table('meta', {
    key: text('key').primaryKey(),
    value: bytea('value').notNull(),
  })

  /**
   * Single-use records (`SingleUseRecords`): claims of a `kind` (used consent forms, `jti`s, pending
   * sign-ins, client leases…) until `expires_at`. Short-lived rows nothing refers to; emptying the
   * table costs at most a reset rate-limit window. Before migration 0002 the store created this
   * table and `rate_windows` itself, hence that migration's `IF NOT EXISTS` (and the key's name,
   * the one PostgreSQL gave it then).
   */
  const singleUse = table(
    'single_use',
    {
      kind: text('kind').notNull(),
      key: text('key').notNull(),
      expiresAt: millis('expires_at').notNull(),
    },
    (t) => [
      primaryKey({ name: 'single_use_pkey', columns: [t.kind, t.key] }),
      index('single_use_key').on(t.key),
    ],
  )

  /** Rate-limit windows (`SingleUseRecords.countHit`): hits of a key until the window resets. */
  const rateWindows = table('rate_windows', {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: millis('reset_at').notNull(),
  })

  return { clients, transactions, codes, tokens, revokedFamilies, sessions, meta, singleUse, rateWindows }
}

/** The tables as the store queries them, qualified with its schema. */
export type Tables = ReturnType<typeof defineTables<string>>
