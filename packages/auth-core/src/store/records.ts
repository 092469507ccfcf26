import type { UpstreamTokens, UpstreamUser } from '../provider.js'

/** Times are epoch milliseconds throughout. Secrets are never stored in clear: see each field. */

export type TokenEndpointAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic'

/** A dynamically registered client (RFC 7591). Pre-registered clients never reach the store. */
export interface ClientRecord {
  readonly clientId: string
  /** SHA-256 hex of the secret; undefined for public clients. */
  readonly clientSecretHash?: string | undefined
  readonly clientName: string
  readonly redirectUris: readonly string[]
  readonly grantTypes: readonly string[]
  readonly responseTypes: readonly string[]
  readonly scopes: readonly string[]
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  readonly issuedAt: number
  /** 0 = never (RFC 7591 §3.2.1). */
  readonly secretExpiresAt: number
  /** The registered metadata as echoed to the client, without the secret. */
  readonly metadata: Readonly<Record<string, unknown>>
}

/** An upstream login in flight: created when the user approves consent, consumed at the callback. */
export interface TransactionRecord {
  /** SHA-256 hex of the state we sent upstream. */
  readonly id: string
  readonly clientId: string
  readonly redirectUri: string
  /** The MCP client's PKCE S256 challenge. */
  readonly codeChallenge: string
  readonly scopes: readonly string[]
  readonly resource: string
  /** The MCP client's own `state`, echoed back to it. */
  readonly clientState?: string | undefined
  /** Our PKCE verifier towards the provider. Secret: persistent stores encrypt it. */
  readonly upstreamCodeVerifier: string
  /** SHA-256 hex of the browser cookie the login is bound to. */
  readonly browserBindingHash: string
  readonly createdAt: number
  readonly expiresAt: number
}

/** One of our authorization codes. */
export interface CodeRecord {
  /** SHA-256 hex of the code. */
  readonly codeHash: string
  readonly clientId: string
  readonly redirectUri: string
  readonly codeChallenge: string
  readonly scopes: readonly string[]
  readonly resource: string
  readonly sessionId: string
  /** Every token issued from this code carries this family id, so a replay can revoke them all. */
  readonly familyId: string
  readonly createdAt: number
  readonly expiresAt: number
}

export type TokenKind = 'access' | 'refresh'

/** One of our access or refresh tokens. */
export interface TokenRecord {
  /** SHA-256 hex of the token. */
  readonly tokenHash: string
  readonly kind: TokenKind
  readonly clientId: string
  readonly sessionId: string
  readonly familyId: string
  readonly scopes: readonly string[]
  /** The audience (RFC 8707): the canonical MCP URL. */
  readonly resource: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly revoked: boolean
  /** Refresh tokens only: set once it has been rotated. */
  readonly consumed: boolean
  /**
   * Refresh tokens only, once rotated: when, and the hash of the refresh token that replaced it.
   * Absent when never rotated, or when it was superseded by a grace-window replay of its
   * predecessor (such a token has no grace window of its own: its use counts as reuse).
   */
  readonly rotatedAt?: number | undefined
  readonly successorHash?: string | undefined
}

/** A logged-in user: who they are at the provider and the provider's tokens. */
export interface SessionRecord {
  readonly sessionId: string
  readonly provider: string
  readonly user: UpstreamUser
  /** Secret: persistent stores encrypt the tokens. */
  readonly upstream: UpstreamTokens
  /** When `user` was last fetched from the provider. */
  readonly userFetchedAt: number
  readonly createdAt: number
  readonly expiresAt: number
}

/**
 * Mints the tokens of one grant inside the store's transaction: synchronous, no I/O. `session` is
 * the code's or token's session as the same transaction reads it (undefined if gone).
 * Return the tokens to save (possibly none, which still uses the code or token up), or `undefined`
 * to decline: the transaction rolls back and nothing changes.
 */
export type IssueTokens<Grant> = (
  grant: Grant,
  session: SessionRecord | undefined,
) => readonly TokenRecord[] | undefined

export type ConsumeCodeResult =
  /** The code was used up and the tokens `issue` returned were saved, in one transaction. */
  | { readonly outcome: 'consumed'; readonly code: CodeRecord; readonly tokens: readonly TokenRecord[] }
  /** `issue` declined: nothing changed. */
  | { readonly outcome: 'declined'; readonly code: CodeRecord }
  /** Used before: the caller revokes the family (RFC 6749 §4.1.2, RFC 9700 §4.2.4). */
  | { readonly outcome: 'replayed'; readonly code: CodeRecord }
  | { readonly outcome: 'expired' }
  | { readonly outcome: 'missing' }

export type RotateRefreshResult =
  /** Rotated, and the successors `issue` returned were saved, in one transaction. */
  | { readonly outcome: 'rotated'; readonly token: TokenRecord; readonly tokens: readonly TokenRecord[] }
  /**
   * Rotated before, replayed inside the grace window while its successor was unused (a lost
   * response, not a theft): the unused successor is used up and new tokens saved, in one transaction.
   */
  | { readonly outcome: 'grace'; readonly token: TokenRecord; readonly tokens: readonly TokenRecord[] }
  /** `issue` declined: nothing changed. */
  | { readonly outcome: 'declined'; readonly token: TokenRecord }
  /** Rotated before: the caller revokes the family (RFC 9700 §4.14.2). */
  | { readonly outcome: 'reused'; readonly token: TokenRecord }
  | { readonly outcome: 'revoked' | 'expired' | 'missing' }

export interface SessionPatch {
  readonly user?: UpstreamUser
  readonly upstream?: UpstreamTokens
  readonly userFetchedAt?: number
}
