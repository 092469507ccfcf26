import { MemorySingleUse } from '../../store/memory-single-use.js'
import type { SingleUseRecords } from '../../store/single-use-records.js'

/** The kind under which used assertion ids are recorded. */
export const ASSERTION_KIND = 'client-assertion-jti'

/**
 * The `jti` of every client assertion seen, kept until the assertion expires, so each assertion
 * is used once (RFC 7523 §3 item 7: the server "MAY ensure that JWTs are not replayed by
 * maintaining the set of used jti values for the length of time for which the JWT would be
 * considered valid"). Kept in the store's single-use records, so every replica sharing the store
 * sees an assertion used on another (issue 15, point 10).
 */
export class AssertionReplayGuard {
  readonly #records: SingleUseRecords

  constructor(records: SingleUseRecords = new MemorySingleUse()) {
    this.#records = records
  }

  /** Records `jti` for `clientId` until `expiresAt`; `false` when it was seen already. */
  use(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean> {
    return this.#records.claimOnce(ASSERTION_KIND, `${clientId}\n${jti}`, expiresAt, now)
  }
}
