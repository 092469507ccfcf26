import type { FastifyBaseLogger } from 'fastify'
import type { JSONWebKeySet } from 'jose'
import type { Clock } from '../../clock.js'
import { InvalidClientError } from '../../errors/oauth-error.js'
import { MemorySingleUse } from '../../store/memory-single-use.js'
import type { SingleUseRecords } from '../../store/single-use-records.js'
import { AssertionReplayGuard } from './assertion-replay.js'
import { freshnessMs } from './cache-lifetime.js'
import { parseClientIdUrl } from './client-id-url.js'
import {
  type ClientMetadataConfig,
  type ClientMetadataPolicy,
  checkFetchTarget,
  clientMetadataPolicy,
} from './client-metadata-policy.js'
import { DocumentCache } from './document-cache.js'
import { DocumentFetchError, type FetchJsonOptions, fetchJsonDocument } from './fetch-json-document.js'
import type { MetadataClient } from './metadata-client.js'
import { type DocumentScopes, parseMetadataDocument, publicKeySet } from './parse-metadata-document.js'

/** Most documents (and key sets) cached at once. */
export const MAX_CACHED_DOCUMENTS = 1000

/**
 * Most fetches (documents and key sets) towards one host per minute: a flood of made-up URL
 * client_ids on one host cannot make us hammer it (issue 15, point 2). Past it: `invalid_client`.
 */
export const MAX_FETCHES_PER_HOST_PER_MINUTE = 30

/** Largest accepted `jwks_uri` key set, bytes (a few RSA keys). */
export const MAX_KEY_SET_BYTES = 16 * 1024

/** What the resolver needs, resolved once when the plugin registers. */
export interface ClientMetadataResolverOptions {
  readonly config: ClientMetadataConfig
  readonly clock: Clock
  readonly scopes: DocumentScopes
  /** Trust anchors (PEM) for the fetches instead of Node's bundled ones (tests, private CAs). */
  readonly ca?: readonly string[] | undefined
  readonly log?: FastifyBaseLogger | undefined
  /** Where used assertion ids are kept (the store's, shared by replicas); default per process. */
  readonly records?: SingleUseRecords | undefined
}

const isTransient = (error: unknown): boolean => error instanceof DocumentFetchError && error.transient

/** A fetch failure as the `invalid_client` the client (or the user's browser) sees. */
function asInvalidClient(error: unknown, what: string): unknown {
  if (error instanceof DocumentFetchError)
    return new InvalidClientError(
      `${what} could not be used: ${error.message}`,
      `fetch failed: ${error.reason}`,
    )
  return error
}

/**
 * Client ID Metadata Documents (MCP authorization 2025-11-25 §5.1, CIMD draft): a URL `client_id`
 * is resolved by fetching it under the operator's policy (`auth.client_metadata`), validated, and
 * cached by its HTTP caching headers between the configured floor and ceiling. Also verifies the
 * `private_key_jwt` assertions of such clients against their published keys.
 */
export class ClientMetadataResolver {
  readonly policy: ClientMetadataPolicy
  readonly #options: ClientMetadataResolverOptions
  readonly #documents: DocumentCache<MetadataClient>
  readonly #keySets: DocumentCache<JSONWebKeySet>
  readonly replays: AssertionReplayGuard
  readonly #budget: SingleUseRecords

  /** Throws (at registration) when the configuration is unsafe or malformed. */
  constructor(options: ClientMetadataResolverOptions) {
    this.policy = clientMetadataPolicy(options.config)
    if (
      options.ca !== undefined &&
      !options.ca.every((pem) => typeof pem === 'string' && pem.includes('-----BEGIN'))
    )
      throw new Error('mxcpAuth: clientMetadataCa must be PEM certificates')
    this.#options = options
    this.replays = new AssertionReplayGuard(options.records)
    this.#budget = options.records ?? new MemorySingleUse()
    const cache = {
      clock: options.clock,
      usableMs: this.policy.cacheMaxMs,
      maxEntries: MAX_CACHED_DOCUMENTS,
      isTransient,
    }
    this.#documents = new DocumentCache(cache)
    this.#keySets = new DocumentCache(cache)
  }

  /**
   * The client whose metadata document `clientId` names: from the cache while fresh, else
   * fetched. Throws `invalid_client` with the reason when CIMD is off, the URL or its host is
   * refused, the fetch fails (and no recent copy can stand in) or the document is invalid.
   */
  async resolve(clientId: string): Promise<MetadataClient> {
    if (!this.policy.enabled)
      throw new InvalidClientError('This server does not accept client metadata documents (URL client_ids)')
    const url = parseClientIdUrl(clientId)
    checkFetchTarget(url, this.policy, 'The client_id URL')
    const what = `The client metadata document at ${clientId}`
    try {
      return await this.#documents.get(
        clientId,
        async () => {
          await this.#spendFetch(url)
          const fetched = await fetchJsonDocument(url, this.#fetchOptions(this.policy.maxBytes))
          const client = parseMetadataDocument(
            fetched.body,
            url,
            this.#options.scopes,
            this.#options.clock.now(),
          )
          const freshMs = this.#freshness(fetched.headers)
          this.#options.log?.info(
            { clientId, clientName: client.record.clientName, cachedSeconds: freshMs / 1000 },
            'client metadata document fetched',
          )
          return { value: client, freshMs }
        },
        (error) => this.#staleUsed(clientId, error),
      )
    } catch (error) {
      throw asInvalidClient(error, what)
    }
  }

  /** The key set of a `private_key_jwt` client: inline, or fetched from `jwks_uri` (same policy). */
  async keySet(client: MetadataClient): Promise<JSONWebKeySet> {
    if (client.jwks) return client.jwks
    const uri = client.jwksUri
    if (!uri) throw new InvalidClientError('The client metadata document has no keys')
    checkFetchTarget(uri, this.policy, 'The jwks_uri of the client metadata document')
    try {
      return await this.#keySets.get(
        uri.href,
        async () => {
          await this.#spendFetch(uri)
          const fetched = await fetchJsonDocument(uri, this.#fetchOptions(MAX_KEY_SET_BYTES))
          return {
            value: publicKeySet(fetched.body, client.record.clientId),
            freshMs: this.#freshness(fetched.headers),
          }
        },
        (error) => this.#staleUsed(uri.href, error),
      )
    } catch (error) {
      throw asInvalidClient(error, `The jwks_uri of ${client.record.clientId}`)
    }
  }

  /** Counts one fetch towards `url`'s host; refuses past `MAX_FETCHES_PER_HOST_PER_MINUTE`. */
  async #spendFetch(url: URL): Promise<void> {
    const { count } = await this.#budget.countHit(
      `metadata-fetch:${url.host}`,
      60_000,
      this.#options.clock.now(),
    )
    if (count > MAX_FETCHES_PER_HOST_PER_MINUTE)
      throw new InvalidClientError(
        `Too many metadata fetches towards ${url.host} this minute; try again shortly`,
        `per-host fetch budget spent for ${url.host}`,
      )
  }

  #fetchOptions(maxBytes: number): FetchJsonOptions {
    return {
      maxBytes,
      timeoutMs: this.policy.timeoutMs,
      allowPrivate: this.policy.allowPrivateHosts,
      ca: this.#options.ca,
    }
  }

  #freshness(headers: Parameters<typeof freshnessMs>[0]): number {
    return freshnessMs(headers, this.policy.cacheMinMs, this.policy.cacheMaxMs)
  }

  #staleUsed(url: string, error: unknown): void {
    this.#options.log?.warn(
      { url, reason: error instanceof Error ? error.message : 'unknown' },
      'client metadata refresh failed; using the copy fetched earlier',
    )
  }
}
