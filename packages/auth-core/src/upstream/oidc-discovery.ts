import * as oauth from 'oauth4webapi'
import { isUpstreamError, UpstreamResponseError } from '../errors/upstream-error.js'
import type { ProviderLog } from '../provider.js'
import { isLoopbackHost } from './endpoint-url.js'
import { guardedFetch } from './guarded-fetch.js'
import type { UpstreamHttpOptions } from './http.js'
import { peekJson, toUpstreamError } from './oauth4webapi-errors.js'
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
  /** Endpoints that replace the discovered ones (`OidcEndpointOverrides`). */
  readonly endpoints?: OidcEndpointOverrides | undefined
}

/**
 * Endpoints a provider's configuration sets in place of the discovered ones, by their discovery
 * name (Google's `auth_url`, `token_url`, `userinfo_url`, `revoke_url`). They are held to the same
 * rules as discovered endpoints (https, or http on loopback); the issuer and `jwks_uri` always
 * come from discovery.
 */
export interface OidcEndpointOverrides {
  readonly authorization_endpoint?: string | undefined
  readonly token_endpoint?: string | undefined
  readonly userinfo_endpoint?: string | undefined
  readonly revocation_endpoint?: string | undefined
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
      this.#inflight = fetchOidcMetadata(this.#options.issuer, this.#options, this.#options.endpoints)
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
 * One discovery request (OIDC Discovery 1.0 §4.1–4.3), made and parsed by oauth4webapi
 * (`discoveryRequest`, `processDiscoveryResponse`: the document's `issuer` must be the one we
 * asked) through our guarded fetch, then held to our own rules (`parseOidcMetadata`: exact issuer,
 * https endpoints). Any status other than 200 is an `UpstreamResponseError` carrying that status,
 * so a provider can explain a 404 (Keycloak: wrong realm); 5xx and network failures are
 * `UpstreamUnavailableError` from `upstreamFetch`.
 */
export async function fetchOidcMetadata(
  issuer: string,
  http: UpstreamHttpOptions,
  endpoints: OidcEndpointOverrides = {},
): Promise<OidcProviderMetadata> {
  const url = discoveryUrl(issuer)
  try {
    const response = await oauth.discoveryRequest(new URL(issuer), {
      [oauth.customFetch]: guardedFetch(http),
      [oauth.allowInsecureRequests]: isLoopbackHttp(url),
    })
    if (response.status !== 200)
      throw new UpstreamResponseError(
        http.provider,
        `${http.provider} has no OpenID configuration at ${url.href} (HTTP ${response.status})`,
        response.status,
      )
    // The library compares issuers as URLs; we forgive only a trailing slash in the configured one.
    const named = (await peekJson(response))?.['issuer']
    const sameIssuer = typeof named === 'string' && named.replace(/\/+$/, '') === issuer.replace(/\/+$/, '')
    const document = await oauth.processDiscoveryResponse(
      sameIssuer && URL.canParse(named) ? new URL(named) : new URL(issuer),
      response,
    )
    const overrides = Object.entries(endpoints).filter(([, value]) => value !== undefined)
    return parseOidcMetadata({ ...document, ...Object.fromEntries(overrides) }, issuer, http.provider)
  } catch (error) {
    if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON) {
      const named = (error.cause as { body?: { issuer?: unknown } } | undefined)?.body?.issuer
      throw new UpstreamResponseError(
        http.provider,
        `${http.provider} discovery document names issuer ${JSON.stringify(String(named)).slice(0, 200)}, expected ${JSON.stringify(issuer)}`,
      )
    }
    throw await toUpstreamError(http.provider, 'discovery', error)
  }
}

/** Plain http to a loopback host: what `parseOidcMetadata` and `secureEndpointUrl` allow besides https. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname)
}
