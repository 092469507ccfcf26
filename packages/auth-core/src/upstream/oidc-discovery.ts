import { UpstreamResponseError } from '../errors/upstream-error.js'
import { readJson, type UpstreamHttpOptions, upstreamFetch } from './http.js'
import { discoveryUrl, type OidcProviderMetadata, parseOidcMetadata } from './oidc-metadata.js'

/** How long a fetched discovery document is reused before it is fetched again (1 hour). */
export const DEFAULT_DISCOVERY_TTL_MS = 60 * 60 * 1000

export interface OidcDiscoveryOptions extends UpstreamHttpOptions {
  readonly issuer: string
  /** Default `DEFAULT_DISCOVERY_TTL_MS`. */
  readonly ttlMs?: number | undefined
  readonly now?: (() => number) | undefined
}

/**
 * Fetches `<issuer>/.well-known/openid-configuration` (OIDC Discovery 1.0 §4) once and reuses it
 * for `ttlMs`. Callers that ask at the same time share one request; a failure is not cached, so
 * the next caller tries again.
 */
export class OidcDiscovery {
  readonly #options: OidcDiscoveryOptions
  #cached: { readonly metadata: OidcProviderMetadata; readonly fetchedAt: number } | undefined
  #inflight: Promise<OidcProviderMetadata> | undefined

  constructor(options: OidcDiscoveryOptions) {
    this.#options = options
  }

  /** The issuer's metadata, from the cache while it is fresh. */
  get(): Promise<OidcProviderMetadata> {
    const now = this.#now()
    const ttl = this.#options.ttlMs ?? DEFAULT_DISCOVERY_TTL_MS
    if (this.#cached && now - this.#cached.fetchedAt < ttl) return Promise.resolve(this.#cached.metadata)
    if (!this.#inflight) {
      this.#inflight = fetchOidcMetadata(this.#options.issuer, this.#options)
        .then((metadata) => {
          this.#cached = { metadata, fetchedAt: this.#now() }
          return metadata
        })
        .finally(() => {
          this.#inflight = undefined
        })
    }
    return this.#inflight
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
