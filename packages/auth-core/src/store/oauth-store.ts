import { brandError, isInstance } from '../errors/brand.js'
import type { SweepCounts } from '../store-kit/sweep-rules.js'
import type {
  ClientRecord,
  CodeRecord,
  ConsumeCodeResult,
  IssueTokens,
  RotateRefreshResult,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from './records.js'
import type { StoreAdmin } from './store-admin.js'

/**
 * Where OAuth state lives. Every "use once" step is atomic inside the store itself, never a read
 * followed by a write in the caller: two concurrent calls on one code, transaction or refresh
 * token yield exactly one winner. All `now` arguments are epoch milliseconds.
 * The contract suite in `@mxcp/auth-core/testing` checks every implementation.
 *
 * A store that cannot reach its database throws `StoreUnavailableError`; the server answers 503.
 */
export interface OAuthStore {
  saveClient(client: ClientRecord): Promise<void>
  getClient(clientId: string): Promise<ClientRecord | undefined>

  saveTransaction(transaction: TransactionRecord): Promise<void>
  /** Returns the transaction and deletes it, once; undefined if unknown, used or expired. */
  consumeTransaction(id: string, now: number): Promise<TransactionRecord | undefined>

  saveCode(code: CodeRecord): Promise<void>
  /**
   * The code exchange as ONE transaction: marks a live code used and saves the tokens `issue`
   * mints from it, or changes nothing. A process killed halfway leaves the code unused, never a
   * used code without its tokens. A used code is kept until it expires, so a replay is still seen.
   * Tokens of a family revoked meanwhile are saved revoked. A code used less than `graceMs` ago
   * whose tokens are all unused may be exchanged once more (`exchangeStep` of
   * `@mxcp/auth-core/store-kit`): the earlier tokens are revoked in the same transaction; if
   * `issue` mints nothing for it, the outcome is 'replayed' and nothing changes.
   */
  exchangeCode(
    codeHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<CodeRecord>,
  ): Promise<ConsumeCodeResult>

  /** Saves tokens; those of a family revoked recently (`revokeFamily`) are saved revoked. */
  saveTokens(tokens: readonly TokenRecord[]): Promise<void>
  getToken(tokenHash: string): Promise<TokenRecord | undefined>
  /**
   * Refresh-token rotation as ONE transaction: marks a live refresh token used (recording when and
   * its successor) and saves the tokens `issue` mints, or changes nothing. A token rotated less than
   * `graceMs` ago whose successor is still unused is redeemable once more ('grace'): the successor is
   * used up (without a grace window of its own) and new tokens saved. See `rotationStep` in
   * `@mxcp/auth-core/store-kit` for the rules every store applies.
   */
  rotateRefresh(
    tokenHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<TokenRecord>,
  ): Promise<RotateRefreshResult>
  /** Marks one token revoked; returns it as it was, or undefined if unknown. */
  revokeToken(tokenHash: string): Promise<TokenRecord | undefined>
  /** Revokes every token of a family (one code's descendants). Returns how many were live. */
  revokeFamily(familyId: string): Promise<number>

  saveSession(session: SessionRecord): Promise<void>
  getSession(sessionId: string): Promise<SessionRecord | undefined>
  updateSession(sessionId: string, patch: SessionPatch): Promise<void>
  /** Deletes the session and revokes every token issued under it. */
  deleteSession(sessionId: string): Promise<void>

  /**
   * Optional: runs `fn` while holding an exclusive lock on one session across every process that
   * shares this store (PostgreSQL: an advisory lock), so an upstream token refresh is single-flight
   * across replicas. Without it, refresh is single-flight within one process only.
   */
  withSessionLock?<T>(sessionId: string, fn: () => Promise<T>): Promise<T>

  /** Optional: the operator commands (`mxcp auth clients|sessions|revoke`) on this store. */
  readonly admin?: StoreAdmin

  /**
   * Removes expired rows (used codes stay until they expire) and registered clients never used
   * (`UNUSED_CLIENT_MS` of `@mxcp/auth-core/store-kit`), in bounded batches; resolves to how many
   * of each it removed (a store that does not count resolves to nothing).
   */
  sweepExpired(now: number): Promise<SweepCounts | undefined>
  close(): Promise<void>
}

/** The store's backing database cannot be reached or is locked past its timeout. */
export class StoreUnavailableError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}

brandError(StoreUnavailableError, 'store-unavailable')
