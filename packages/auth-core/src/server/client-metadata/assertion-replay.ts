/** Most assertion ids remembered at once; past that new assertions are refused, never forgotten early. */
export const MAX_REMEMBERED_ASSERTIONS = 100_000

/**
 * The `jti` of every client assertion seen, kept until the assertion expires, so each assertion
 * is used once (RFC 7523 §3 item 7: the server "MAY ensure that JWTs are not replayed by
 * maintaining the set of used jti values for the length of time for which the JWT would be
 * considered valid"). Per process: replicas do not share it (the store has no place for it).
 */
export class AssertionReplayGuard {
  readonly #seen = new Map<string, number>()

  /**
   * Records `jti` for `clientId` until `expiresAt`; `false` when it was seen already. Throws
   * when too many live assertions are remembered (a flood), so that none is ever forgotten early.
   */
  use(clientId: string, jti: string, expiresAt: number, now: number): boolean {
    const key = `${clientId}\n${jti}`
    const until = this.#seen.get(key)
    if (until !== undefined && until > now) return false
    if (this.#seen.size >= MAX_REMEMBERED_ASSERTIONS) this.#prune(now)
    if (this.#seen.size >= MAX_REMEMBERED_ASSERTIONS) throw new Error('too many client assertions in flight')
    this.#seen.set(key, expiresAt)
    return true
  }

  #prune(now: number): void {
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key)
  }
}
