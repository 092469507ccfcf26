import type { UpstreamUser } from '../provider.js'
import type { ClientRecord, TokenRecord } from './records.js'

/** One live session as an operator sees it: who, through which clients, since when. No secret. */
export interface SessionSummary {
  readonly sessionId: string
  readonly provider: string
  readonly userId: string
  readonly username: string
  readonly createdAt: number
  readonly expiresAt: number
  /** The clients holding live tokens of this session (usually one: one sign-in, one client). */
  readonly clientIds: readonly string[]
  /** How many of its tokens are live (not revoked, not expired, refresh tokens not yet rotated). */
  readonly liveTokens: number
}

/** What a revocation ended. */
export interface Revocation {
  /** Sessions deleted. */
  readonly sessions: number
  /** Tokens that were live and are now revoked. */
  readonly tokens: number
}

/**
 * Operator commands on a store (`mxcp auth clients|sessions|revoke`), safe while servers run on
 * it: each revocation is one transaction, and since the guard looks every access token up on
 * every request, a revoked token is refused by every replica on its next request. Deleting a
 * session also stops codes and refresh tokens of it from yielding new tokens (both check the
 * session). All `now` arguments are epoch milliseconds.
 */
export interface StoreAdmin {
  /** Every dynamically registered client, oldest first. */
  listClients(): Promise<ClientRecord[]>
  /** Deletes the client after revoking everything issued to it (see `revokeClient`). */
  removeClient(clientId: string): Promise<Revocation & { readonly removed: boolean }>
  /** Live sessions (not expired at `now`), oldest first; `user` keeps those {@link matchesUser} accepts. */
  listSessions(now: number, user?: string): Promise<SessionSummary[]>
  /** Ends one session: deleted, every token of it revoked. */
  revokeSession(sessionId: string): Promise<Revocation>
  /** Ends every session of a user ({@link matchesUser}) and revokes all their tokens. */
  revokeUser(user: string): Promise<Revocation>
  /**
   * Revokes every token issued to the client and ends the sessions it holds (those of its tokens
   * and of its unredeemed codes, which then cannot be redeemed).
   */
  revokeClient(clientId: string): Promise<Revocation>
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase())
}

/**
 * Whether `query` names `user`: the provider's immutable id exactly, or the username compared
 * ASCII-case-insensitively (never Unicode folding: `K` and the Kelvin sign stay apart).
 */
export function matchesUser(user: Pick<UpstreamUser, 'userId' | 'username'>, query: string): boolean {
  return user.userId === query || asciiLower(user.username) === asciiLower(query)
}

/** Whether a token still opens anything at `now`. */
export function isLiveToken(
  token: Pick<TokenRecord, 'revoked' | 'consumed' | 'expiresAt' | 'kind'>,
  now: number,
): boolean {
  return !token.revoked && token.expiresAt > now && !(token.kind === 'refresh' && token.consumed)
}
