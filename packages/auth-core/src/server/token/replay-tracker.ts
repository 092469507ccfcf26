/**
 * Closes the window between "a replay revoked the family" and "the winner saved its tokens".
 * When two requests race on one code (or one refresh token), the store lets exactly one win; the
 * loser revokes the family at once, possibly before the winner has saved what it issued. The
 * loser marks the family here, and the winner, after saving, revokes again if it was marked. So
 * a replay revokes every token of the family however the two interleave (RFC 9700 §4.14.2).
 * Per process: across replicas the store's family revocation still applies to everything saved.
 */
export class ReplayTracker {
  readonly #marked = new Map<string, number>()
  readonly #ttlMs: number

  /** `ttlMs`: how long a mark is kept (longer than any code or refresh request takes). */
  constructor(ttlMs = 10 * 60_000) {
    this.#ttlMs = ttlMs
  }

  /** Records that `familyId` was replayed at `now`. */
  mark(familyId: string, now: number): void {
    this.#marked.set(familyId, now + this.#ttlMs)
    for (const [family, until] of this.#marked) if (until <= now) this.#marked.delete(family)
  }

  /** True when `familyId` was marked (and the mark has not expired). */
  wasReplayed(familyId: string, now: number): boolean {
    const until = this.#marked.get(familyId)
    return until !== undefined && until > now
  }
}
