import { isUrlClientId } from '../server/client-metadata/client-id-url.js'
import type { ClientMetadataResolver } from '../server/client-metadata/client-metadata-resolver.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { ClientRecord } from '../store/records.js'
import type { ClientLeases } from './client-lease.js'

/**
 * Finds a client: the pre-registered ones from configuration first, then a URL client_id through
 * its Client ID Metadata Document (never stored), then the store (RFC 7591).
 */
export class ClientDirectory {
  readonly #preRegistered: ReadonlyMap<string, ClientRecord>
  readonly #store: OAuthStore
  readonly #metadataDocuments: ClientMetadataResolver | undefined
  readonly #leases: ClientLeases | undefined

  constructor(
    preRegistered: ReadonlyMap<string, ClientRecord>,
    store: OAuthStore,
    metadataDocuments?: ClientMetadataResolver,
    leases?: ClientLeases,
  ) {
    this.#preRegistered = preRegistered
    this.#store = store
    this.#metadataDocuments = metadataDocuments
    this.#leases = leases
  }

  /** The leases of dynamically registered clients, when the plugin keeps them. */
  get leases(): ClientLeases | undefined {
    return this.#leases
  }

  /** True when `clientId` belongs to a pre-registered client (so `/register` cannot shadow it). */
  isPreRegistered(clientId: string): boolean {
    return this.#preRegistered.has(clientId)
  }

  /** The metadata-document resolver when `clientId` is a URL client_id that no pre-registered client uses. */
  metadataDocumentsFor(clientId: string): ClientMetadataResolver | undefined {
    return this.#metadataDocuments && !this.#preRegistered.has(clientId) && isUrlClientId(clientId)
      ? this.#metadataDocuments
      : undefined
  }

  /** True when `clientId` is resolved through a Client ID Metadata Document. */
  isMetadataDocumentClient(clientId: string): boolean {
    return this.metadataDocumentsFor(clientId) !== undefined
  }

  /** Every scope some pre-registered client may ask for. */
  preRegisteredScopes(): string[] {
    return [...this.#preRegistered.values()].flatMap((client) => client.scopes)
  }

  /** The client, or undefined when unknown. A metadata-document client that cannot be had throws `invalid_client` with the reason. */
  async find(clientId: string): Promise<ClientRecord | undefined> {
    const preRegistered = this.#preRegistered.get(clientId)
    if (preRegistered) return preRegistered
    const documents = this.metadataDocumentsFor(clientId)
    if (documents) return (await documents.resolve(clientId)).record
    // A registration whose lease ran out is unknown, even before the sweep deletes it.
    if (this.#leases && !(await this.#leases.isLive(clientId))) return undefined
    return this.#store.getClient(clientId)
  }
}
