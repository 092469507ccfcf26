import type { OAuthStore } from '../store/oauth-store.js'
import type { ClientRecord } from '../store/records.js'

/** Finds a client: the pre-registered ones from configuration first, then the store (RFC 7591). */
export class ClientDirectory {
  readonly #preRegistered: ReadonlyMap<string, ClientRecord>
  readonly #store: OAuthStore

  constructor(preRegistered: ReadonlyMap<string, ClientRecord>, store: OAuthStore) {
    this.#preRegistered = preRegistered
    this.#store = store
  }

  /** True when `clientId` belongs to a pre-registered client (so `/register` cannot shadow it). */
  isPreRegistered(clientId: string): boolean {
    return this.#preRegistered.has(clientId)
  }

  /** Every scope some pre-registered client may ask for. */
  preRegisteredScopes(): string[] {
    return [...this.#preRegistered.values()].flatMap((client) => client.scopes)
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    return this.#preRegistered.get(clientId) ?? (await this.#store.getClient(clientId))
  }
}
