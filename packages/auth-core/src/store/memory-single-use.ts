import type { SingleUseRecords, WindowCount } from './single-use-records.js'

/** Most live records or windows kept in memory; past it, a claim is refused (never forgotten early). */
export const MAX_MEMORY_RECORDS = 200_000

/**
 * `SingleUseRecords` in this process only: right for one process, and the fallback for a store
 * without its own (a custom store). Expired entries are dropped by `sweepSingleUse` and when full.
 */
export class MemorySingleUse implements SingleUseRecords {
  /** kind → key → expiresAt */
  readonly #claims = new Map<string, Map<string, number>>()
  readonly #windows = new Map<string, { count: number; resetAt: number }>()

  async claimOnce(
    kind: string,
    key: string,
    expiresAt: number,
    now: number,
    limit?: number,
  ): Promise<boolean> {
    let claims = this.#claims.get(kind)
    if (!claims) {
      claims = new Map()
      this.#claims.set(kind, claims)
    }
    const until = claims.get(key)
    if (until !== undefined && until > now) return false
    if (limit !== undefined || claims.size >= MAX_MEMORY_RECORDS) {
      for (const [other, otherUntil] of claims) if (otherUntil <= now) claims.delete(other)
    }
    if (limit !== undefined && claims.size >= limit) return false
    if (claims.size >= MAX_MEMORY_RECORDS) return false
    claims.set(key, expiresAt)
    return true
  }

  async releaseClaims(key: string): Promise<void> {
    for (const claims of this.#claims.values()) claims.delete(key)
  }

  async countHit(key: string, windowMs: number, now: number): Promise<WindowCount> {
    const current = this.#windows.get(key)
    if (current && current.resetAt > now) {
      current.count += 1
      return { ...current }
    }
    if (this.#windows.size >= MAX_MEMORY_RECORDS) await this.sweepSingleUse(now)
    // Still full of live windows (a flood of addresses): the oldest window goes, as an LRU would.
    if (this.#windows.size >= MAX_MEMORY_RECORDS)
      this.#windows.delete(this.#windows.keys().next().value ?? '')
    const fresh = { count: 1, resetAt: now + windowMs }
    this.#windows.set(key, fresh)
    return { ...fresh }
  }

  async setClaimExpiry(kind: string, key: string, expiresAt: number): Promise<void> {
    let claims = this.#claims.get(kind)
    if (!claims) {
      claims = new Map()
      this.#claims.set(kind, claims)
    }
    claims.set(key, expiresAt)
  }

  async claimExpiry(kind: string, key: string): Promise<number | undefined> {
    return this.#claims.get(kind)?.get(key)
  }

  async takeExpiredClaims(kind: string, now: number, limit: number): Promise<string[]> {
    const claims = this.#claims.get(kind)
    if (!claims) return []
    const taken: string[] = []
    for (const [key, until] of claims) {
      if (taken.length >= limit) break
      if (until > now) continue
      claims.delete(key)
      taken.push(key)
    }
    return taken
  }

  async sweepSingleUse(now: number): Promise<void> {
    for (const [kind, claims] of this.#claims) {
      for (const [key, until] of claims) if (until <= now) claims.delete(key)
      if (claims.size === 0) this.#claims.delete(kind)
    }
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key)
  }
}
