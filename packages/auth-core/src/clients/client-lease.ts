import type { Clock } from '../clock.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { ClaimExpiryOptions, DeletesClients, SingleUseRecords } from '../store/single-use-records.js'

/** The kind of the records that hold a registered client's lease. */
export const CLIENT_LEASE_KIND = 'client-lease'

/** Most expired registrations removed by one sweep. */
export const MAX_CLIENTS_SWEPT = 1000

/**
 * How long a dynamically registered client lives (issue 15, point 5; RFC 7591 §1.5 leaves it to
 * the server): a registration that never completed a sign-in expires after
 * `auth.unproven_client_ttl` (24 h), and each token issued renews the lease for
 * `auth.registered_client_ttl` (90 days) of no use. An expired client is unknown at once, and the
 * sweep deletes it from the store. The lease lives in the store's single-use records, so every
 * replica agrees. A client with no lease at all (registered before leases existed) is kept.
 */
export class ClientLeases {
  readonly #records: SingleUseRecords
  readonly #clock: Clock
  readonly #unprovenMs: number
  readonly #unusedMs: number

  constructor(
    records: SingleUseRecords,
    clock: Clock,
    ttl: { unprovenSeconds: number; unusedSeconds: number },
  ) {
    this.#records = records
    this.#clock = clock
    this.#unprovenMs = ttl.unprovenSeconds * 1000
    this.#unusedMs = ttl.unusedSeconds * 1000
  }

  /** A client was just registered: it has until the unproven TTL to complete a sign-in. */
  registered(clientId: string): Promise<void> {
    return this.#records.setClaimExpiry(CLIENT_LEASE_KIND, clientId, this.#clock.now() + this.#unprovenMs)
  }

  /**
   * Tokens are issued to the client: its lease runs for the unused TTL from now. With `inFlight`,
   * the tokens' durable commit follows (or is open) and carries the renewal to disk.
   */
  used(clientId: string, options?: ClaimExpiryOptions): Promise<void> {
    return this.#records.setClaimExpiry(
      CLIENT_LEASE_KIND,
      clientId,
      this.#clock.now() + this.#unusedMs,
      options,
    )
  }

  /** False when the client's lease ran out. */
  async isLive(clientId: string): Promise<boolean> {
    const expiresAt = await this.#records.claimExpiry(CLIENT_LEASE_KIND, clientId)
    return expiresAt === undefined || expiresAt > this.#clock.now()
  }

  /** Deletes the clients whose lease ran out (when the store can delete clients); returns their ids. */
  async sweep(store: OAuthStore & Partial<DeletesClients>, now: number): Promise<string[]> {
    const expired = await this.#records.takeExpiredClaims(CLIENT_LEASE_KIND, now, MAX_CLIENTS_SWEPT)
    if (typeof store.deleteClient === 'function')
      for (const clientId of expired) await store.deleteClient(clientId)
    return expired
  }
}
