import {
  type CryptoKey,
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from 'jose'
import { UpstreamResponseError } from '../errors/upstream-error.js'
import { asRecord, readJson, type UpstreamHttpOptions, upstreamFetch } from './http.js'

/** How long a fetched key set is used before it is fetched again (1 hour). */
export const DEFAULT_JWKS_MAX_AGE_MS = 60 * 60 * 1000
/** The least time between two fetches caused by an unknown `kid` (a rotation), 30 seconds. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30 * 1000

export interface JwksCacheOptions extends UpstreamHttpOptions {
  readonly jwksUri: string
  readonly maxAgeMs?: number | undefined
  readonly cooldownMs?: number | undefined
  readonly now?: (() => number) | undefined
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>

/**
 * The signing keys of an OpenID Provider (RFC 7517 key set at `jwks_uri`), fetched with
 * `upstreamFetch` so failures are in the upstream error set. A token signed with a key we do not
 * know triggers one refetch (OIDC Core §10.1.1: keys rotate), at most once per cooldown. When a
 * refetch fails, the last good key set stays in use and the next attempt waits a cooldown.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions
  #keys: { readonly resolve: KeyResolver; readonly fetchedAt: number } | undefined
  #inflight: Promise<KeyResolver> | undefined

  constructor(options: JwksCacheOptions) {
    this.#options = options
  }

  /** A key resolver for `jose.jwtVerify`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const maxAge = this.#options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS
    const fresh = this.#keys && this.#now() - this.#keys.fetchedAt < maxAge
    const resolve = fresh && this.#keys ? this.#keys.resolve : await this.#loadOrKeep()
    try {
      return await resolve(header, token)
    } catch (error) {
      const cooldown = this.#options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS
      const mayRefetch = this.#keys !== undefined && this.#now() - this.#keys.fetchedAt >= cooldown
      if (error instanceof errors.JWKSNoMatchingKey && mayRefetch) return (await this.#load())(header, token)
      throw error
    }
  }

  /** A refetch of an aged key set; when it fails, the last good set stays in use (a provider blip ends no sign-in). */
  async #loadOrKeep(): Promise<KeyResolver> {
    const previous = this.#keys
    try {
      return await this.#load()
    } catch (error) {
      if (!previous) throw error
      // Kept as if fetched just long enough ago that it ages out again one cooldown from now.
      const maxAge = this.#options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS
      const retryIn = Math.min(this.#options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS, maxAge)
      this.#keys = { resolve: previous.resolve, fetchedAt: this.#now() - maxAge + retryIn }
      return previous.resolve
    }
  }

  #load(): Promise<KeyResolver> {
    if (!this.#inflight) {
      this.#inflight = fetchJwks(this.#options)
        .then((jwks) => {
          const resolve = createLocalJWKSet(jwks)
          this.#keys = { resolve, fetchedAt: this.#now() }
          return resolve
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

/** GETs and narrows a key set: a JSON object whose `keys` is an array of objects (RFC 7517 §5). */
async function fetchJwks(options: JwksCacheOptions): Promise<JSONWebKeySet> {
  const { provider } = options
  const response = await upstreamFetch(options.jwksUri, { headers: { accept: 'application/json' } }, options)
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new UpstreamResponseError(
      provider,
      `${provider} key set answered ${response.status}`,
      response.status,
    )
  }
  const body = asRecord(await readJson(response, provider), provider, 'key set')
  const keys = body['keys']
  if (!Array.isArray(keys)) throw new UpstreamResponseError(provider, `${provider} key set has no keys array`)
  return { keys: keys.map((key) => publicJwk(asRecord(key, provider, 'key set entry'))) }
}

/**
 * The public members of one JWK (RFC 7517 §4, RFC 7518 §6), each kept only if it is a string;
 * private members are dropped. jose validates the key itself when it imports it.
 */
function publicJwk(record: Record<string, unknown>): JWK {
  const jwk: JWK = {}
  for (const member of ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y', 'pub'] as const) {
    const value = record[member]
    if (typeof value === 'string') jwk[member] = value
  }
  const ops = record['key_ops']
  if (Array.isArray(ops)) jwk.key_ops = ops.filter((op): op is string => typeof op === 'string')
  return jwk
}
