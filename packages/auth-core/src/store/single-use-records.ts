import type { OAuthStore } from './oauth-store.js'

/** One counted hit of a fixed rate-limit window. */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  readonly count: number
  /** When the current window ends (epoch ms). */
  readonly resetAt: number
}

/** How a caller writes a record's expiry. */
export interface ClaimExpiryOptions {
  /**
   * The caller commits durably right after (the tokens of a code exchange or a refresh rotation),
   * or is inside that commit's transaction: a store whose commits can skip waiting for the disk
   * may write this one so, because the durable commit that follows carries it to disk. Stores
   * without such commits ignore it.
   */
  readonly inFlight?: boolean
}

/**
 * Short-lived records that make "once" and "at most N" hold across every replica sharing a store
 * (issue 15, point 10): the `jti` of a used `private_key_jwt` assertion (RFC 7523 §3 item 7), a
 * used consent form, the pending sign-ins of a client or an address, and the rate-limit windows.
 * A store offers them as its optional `singleUse` member; without it the plugin keeps a per-process copy.
 * All times are epoch milliseconds.
 */
export interface SingleUseRecords {
  /**
   * Records `key` under `kind` until `expiresAt`, atomically: true when no live record of that
   * kind and key existed (and, with `limit`, fewer than `limit` live records of that kind did);
   * false otherwise, and then nothing is written.
   */
  claimOnce(kind: string, key: string, expiresAt: number, now: number, limit?: number): Promise<boolean>
  /** Deletes the records with this key, whatever their kind (a pending sign-in that ended). */
  releaseClaims(key: string): Promise<void>
  /** Counts one hit in the fixed window of `key` (a new window starts once the last one ended). */
  countHit(key: string, windowMs: number, now: number): Promise<WindowCount>
  /** Deletes expired records and windows. */
  sweepSingleUse(now: number): Promise<void>
  /** Sets (creates or moves) the expiry of a record, live or not: a lease renewed on use. */
  setClaimExpiry(kind: string, key: string, expiresAt: number, options?: ClaimExpiryOptions): Promise<void>
  /** When the record expires (or expired), or undefined when there is none. */
  claimExpiry(kind: string, key: string): Promise<number | undefined>
  /** Deletes the expired records of `kind` and returns their keys (at most `limit`). */
  takeExpiredClaims(kind: string, now: number, limit: number): Promise<string[]>
}

/** Optional member of a store: deletes a dynamically registered client (an expired registration). */
export interface DeletesClients {
  deleteClient(clientId: string): Promise<void>
}

/** Optional member of a store: its single-use records, shared by every replica of the store. */
export interface HasSingleUseRecords {
  readonly singleUse: SingleUseRecords
}

/** The store's own single-use records when it has them (shared by replicas), else undefined. */
export function singleUseRecordsOf(store: OAuthStore): SingleUseRecords | undefined {
  return (store as OAuthStore & Partial<HasSingleUseRecords>).singleUse
}
