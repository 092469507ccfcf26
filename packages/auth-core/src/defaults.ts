/**
 * Lifetimes and limits of the authorization server that are not in the configuration, with the
 * RFC that sets each. Configurable lifetimes (`access_token_ttl`, `refresh_token_ttl`,
 * `authorization_code_ttl`, `cache_ttl`) live in the `auth` schema.
 */

/** An upstream login in flight (MCP SBP 2.1.5.2: "a short expiration time (e.g., 10 minutes)"). */
export const TRANSACTION_TTL_MS = 10 * 60_000

/** Most sign-ins in flight (approved, not yet back from the provider) for one client. */
export const MAX_PENDING_SIGN_INS_PER_CLIENT = 100

/** Most sign-ins in flight started from one client address. */
export const MAX_PENDING_SIGN_INS_PER_ADDRESS = 10

/** How long a rendered consent page may be submitted (its CSRF token's lifetime). */
export const CONSENT_TTL_MS = 10 * 60_000

/** How often expired rows are swept from the store. */
export const SWEEP_INTERVAL_MS = 60_000

/** Largest accepted `/register` body (RFC 7591 leaves the limit to the server). */
export const REGISTER_BODY_LIMIT = 16 * 1024

/** Largest accepted form body at `/token`, `/revoke` and the consent form. */
export const FORM_BODY_LIMIT = 16 * 1024

/** Longest `state` we echo back to a client. */
export const MAX_STATE_LENGTH = 2048

/** Most redirect URIs one client may register. */
export const MAX_REDIRECT_URIS = 10

/** Longest accepted redirect URI. */
export const MAX_URI_LENGTH = 2000

/** Longest client name we store and display. */
export const MAX_CLIENT_NAME_LENGTH = 200

/** Smallest accepted signing secret (HMAC-SHA-256 key), bytes. */
export const MIN_SECRET_BYTES = 32

/** The scope every client gets when nothing else is configured (the guide's default). */
export const DEFAULT_SCOPE = 'mxcp:access'

/** Prefixes of our opaque credentials, so a leaked one is recognisable (and scannable). */
export const ACCESS_TOKEN_PREFIX = 'mxcp_at_'
export const REFRESH_TOKEN_PREFIX = 'mxcp_rt_'
export const AUTHORIZATION_CODE_PREFIX = 'mxcp_ac_'
export const CLIENT_SECRET_PREFIX = 'mxcp_cs_'
