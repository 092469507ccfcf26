import { isUpstreamError, UpstreamResponseError } from '../errors/upstream-error.js'
import type { ProviderLog } from '../provider.js'
import { readJson, type UpstreamHttpOptions, upstreamFetch } from './http.js'
import { discoveryUrl, type OidcProviderMetadata, parseOidcMetadata } from './oidc-metadata.js'

/** How long a fetched discovery document is reused before it is fetched again (1 hour). */
export const DEFAULT_DISCOVERY_TTL_MS = 60 * 60 * 1000
/** The first wait after a failed discovery before the next attempt; it doubles per failure. */
export const DISCOVERY_RETRY_MIN_MS = 1_000
/** The longest wait between two discovery attempts. */
export const DISCOVERY_RETRY_MAX_MS = 60_000

export interface OidcDiscoveryOptions extends UpstreamHttpOptions {
  readonly issuer: string
  /** Default `DEFAULT_DISCOVERY_TTL_MS`. */
  readonly ttlMs?: number | undefined
  readonly now?: (() => number) | undefined
  readonly log?: ProviderLog | undefined
}

/**
 * Fetches `<issuer>/.well-known/openid-configuration` (OIDC Discovery 1.0 §4) on first use, not at
 * start-up (the server starts while the provider is down), and reuses it for `ttlMs`. Callers that
 * ask at the same time share one request. When a refetch fails, the last good document stays in
 * use (and a warning is logged); with none yet, the failure is thrown and further attempts wait
 * out a backoff (1 s doubling to 60 s) so a provider that is down is not hammered by every request.
 */
export class OidcDiscovery {
  readonly #options: OidcDiscoveryOptions
  #cached: { readonly metadata: OidcProviderMetadata; readonly fetchedAt: number } | undefined
  #inflight: Promise<OidcProviderMetadata> | undefined
  #failure: { readonly error: unknown; readonly retryAt: number; readonly failures: number } | undefined

  constructor(options: OidcDiscoveryOptions) {
    this.#options = options
  }

  /** The issuer's metadata, from the cache while it is fresh (or while a refetch keeps failing). */
  get(): Promise<OidcProviderMetadata> {
    const now = this.#now()
    const ttl = this.#options.ttlMs ?? DEFAULT_DISCOVERY_TTL_MS
    const cached = this.#cached
    if (cached && now - cached.fetchedAt < ttl) return Promise.resolve(cached.metadata)
    if (this.#failure && now < this.#failure.retryAt) {
      if (cached) return Promise.resolve(cached.metadata)
      return Promise.reject(this.#failure.error)
    }
    if (!this.#inflight) {
      this.#inflight = fetchOidcMetadata(this.#options.issuer, this.#options)
        .then(
          (metadata) => {
            if (this.#failure)
              this.#options.log?.info(
                { provider: this.#options.provider },
                'OpenID discovery succeeded again',
              )
            this.#cached = { metadata, fetchedAt: this.#now() }
            this.#failure = undefined
            return metadata
          },
          (error: unknown) => this.#failed(error),
        )
        .finally(() => {
          this.#inflight = undefined
        })
    }
    return this.#inflight
  }

  #failed(error: unknown): OidcProviderMetadata {
    const failures = (this.#failure?.failures ?? 0) + 1
    const waitMs = Math.min(DISCOVERY_RETRY_MIN_MS * 2 ** (failures - 1), DISCOVERY_RETRY_MAX_MS)
    this.#failure = { error, retryAt: this.#now() + waitMs, failures }
    const reason = isUpstreamError(error) ? error.message : 'unexpected error'
    this.#options.log?.warn(
      { provider: this.#options.provider, retryInMs: waitMs, keptLastGood: this.#cached !== undefined },
      `OpenID discovery failed (${reason}); ${this.#cached ? 'keeping the last good document' : 'sign-ins fail until it succeeds'}, next attempt in ${waitMs} ms`,
    )
    if (this.#cached) return this.#cached.metadata
    throw error
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }
}

/**
 * One discovery request (OIDC Discovery 1.0 §4.1–4.3). Any status other than 200 is an
 * `UpstreamResponseError` carrying that status, so a provider can explain a 404 (Keycloak: wrong
 * realm); 5xx and network failures are `UpstreamUnavailableError` from `upstreamFetch`.
 */
export async function fetchOidcMetadata(
  issuer: string,
  http: UpstreamHttpOptions,
): Promise<OidcProviderMetadata> {
  const url = discoveryUrl(issuer)
  const response = await upstreamFetch(url, { headers: { accept: 'application/json' } }, http)
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new UpstreamResponseError(
      http.provider,
      `${http.provider} has no OpenID configuration at ${url.href} (HTTP ${response.status})`,
      response.status,
    )
  }
  return parseOidcMetadata(await readJson(response, http.provider), issuer, http.provider)
}
