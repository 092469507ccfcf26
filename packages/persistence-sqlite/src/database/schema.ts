import type { TokenEndpointAuthMethod } from '@mxcp/auth-core/store-kit'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The tables of the SQLite store. drizzle-kit generates the migrations in `drizzle/` from this
 * file (`pnpm exec drizzle-kit generate`); never edit a generated migration, add a new one.
 *
 * Secrets never sit here in clear: our tokens, codes and client secrets arrive as SHA-256 hex
 * from auth-core and are stored as such; upstream tokens and the upstream PKCE verifier are
 * AES-256-GCM ciphertexts (`*_sealed` columns). Times are epoch milliseconds.
 */

/** Key/value facts about the database itself: the key-derivation salt and the key check value. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: blob('value', { mode: 'buffer' }).notNull(),
})

/** Dynamically registered clients (RFC 7591). Pre-registered clients never reach the store. */
export const clients = sqliteTable('clients', {
  clientId: text('client_id').primaryKey(),
  clientSecretHash: text('client_secret_hash'),
  clientName: text('client_name').notNull(),
  redirectUris: text('redirect_uris', { mode: 'json' }).$type<string[]>().notNull(),
  grantTypes: text('grant_types', { mode: 'json' }).$type<string[]>().notNull(),
  responseTypes: text('response_types', { mode: 'json' }).$type<string[]>().notNull(),
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  // RFC 7591 §2: none, client_secret_post or client_secret_basic (auth-core checks it on the way in).
  tokenEndpointAuthMethod: text('token_endpoint_auth_method').$type<TokenEndpointAuthMethod>().notNull(),
  issuedAt: integer('issued_at').notNull(),
  secretExpiresAt: integer('secret_expires_at').notNull(),
  /** JSON text (the column was written in drizzle's json mode before: the same bytes). */
  metadataJson: text('metadata').notNull(),
})

/** Upstream logins in flight, keyed by the SHA-256 of the state we sent upstream. */
export const transactions = sqliteTable(
  'transactions',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    codeChallenge: text('code_challenge').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    resource: text('resource').notNull(),
    clientState: text('client_state'),
    upstreamCodeVerifierSealed: blob('upstream_code_verifier_sealed', { mode: 'buffer' }).notNull(),
    browserBindingHash: text('browser_binding_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('transactions_expires_at').on(table.expiresAt)],
)

/** Our authorization codes, keyed by SHA-256; a used code stays (consumed = 1) until it expires. */
export const codes = sqliteTable(
  'codes',
  {
    codeHash: text('code_hash').primaryKey(),
    clientId: text('client_id').notNull(),
    redirectUri: text('redirect_uri').notNull(),
    codeChallenge: text('code_challenge').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    resource: text('resource').notNull(),
    sessionId: text('session_id').notNull(),
    familyId: text('family_id').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    consumed: integer('consumed', { mode: 'boolean' }).notNull().default(false),
    consumedAt: integer('consumed_at'), // the exchange's time: starts the lost-response window
  },
  (table) => [index('codes_expires_at').on(table.expiresAt)],
)

/**
 * Our access and refresh tokens, keyed by SHA-256. The table's own key (its rowid) is `tokenKey`,
 * an integer taken from the hash (`token-key.ts`): the guard's lookup is then one probe of the
 * table's B-tree, whose inner pages hold only integers (hundreds per page), so at a million
 * tokens it is three levels deep where an index led by the 64-character hash, whose inner pages
 * hold whole entries, was five. `tokenHash` stays unique, and every other query goes by it.
 */
export const tokens = sqliteTable(
  'tokens',
  {
    tokenKey: integer('token_key').primaryKey(),
    tokenHash: text('token_hash').notNull(),
    kind: text('kind', { enum: ['access', 'refresh'] }).notNull(),
    clientId: text('client_id').notNull(),
    sessionId: text('session_id').notNull(),
    familyId: text('family_id').notNull(),
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
    resource: text('resource').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revoked: integer('revoked', { mode: 'boolean' }).notNull().default(false),
    consumed: integer('consumed', { mode: 'boolean' }).notNull().default(false),
    rotatedAt: integer('rotated_at'), // set by a rotation: starts the grace window
    successorHash: text('successor_hash'), // the refresh token that replaced this one
  },
  (table) => [
    uniqueIndex('tokens_token_hash').on(table.tokenHash),
    index('tokens_family_id').on(table.familyId),
    index('tokens_session_id').on(table.sessionId),
    index('tokens_client_id').on(table.clientId),
    index('tokens_expires_at').on(table.expiresAt),
  ],
)

/** Logged-in users: the cached profile in clear, the upstream tokens sealed. */
export const sessions = sqliteTable(
  'sessions',
  {
    sessionId: text('session_id').primaryKey(),
    provider: text('provider').notNull(),
    /** JSON text of the `UpstreamUser`. */
    userJson: text('user').notNull(),
    upstreamSealed: blob('upstream_sealed', { mode: 'buffer' }).notNull(),
    userFetchedAt: integer('user_fetched_at').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('sessions_expires_at').on(table.expiresAt)],
)

/**
 * Families revoked by a replayed code or a reused refresh token, remembered for a while: the
 * winner of that race may save its tokens only after the loser revoked the family, possibly from
 * another process, and those tokens must then be stored revoked (RFC 9700 §4.14.2).
 */
export const revokedFamilies = sqliteTable(
  'revoked_families',
  {
    familyId: text('family_id').primaryKey(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('revoked_families_expires_at').on(table.expiresAt)],
)

/**
 * Cross-process session locks (`OAuthStore.withSessionLock`): a lease per session, taken by a
 * conditional upsert and given back by deleting it; a holder that died loses it at `expires_at`.
 */
export const sessionLocks = sqliteTable('session_locks', {
  sessionId: text('session_id').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
})

/**
 * Single-use records (`SingleUseRecords`): claims of a `kind` (used consent forms, `jti`s, pending
 * sign-ins, client leases…) until `expires_at`. Short-lived rows nothing refers to; emptying the
 * table costs at most a reset rate-limit window. Before migration 0002 the store created this
 * table and `rate_windows` itself, hence that migration's `IF NOT EXISTS`.
 */
export const singleUse = sqliteTable(
  'single_use',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.kind, table.key] }), index('single_use_key').on(table.key)],
)

/** Rate-limit windows (`SingleUseRecords.countHit`): hits of a key until the window resets. */
export const rateWindows = sqliteTable('rate_windows', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  resetAt: integer('reset_at').notNull(),
})
