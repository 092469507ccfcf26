import * as oauth from 'oauth4webapi'
import { isUpstreamError } from '../errors/upstream-error.js'
import type { GuardedFetch } from './guarded-fetch.js'
import { toUpstreamError } from './oauth4webapi-errors.js'

export interface IssuerKeysOptions {
  /** Provider id, for errors. */
  readonly provider: string
  readonly fetch: GuardedFetch
}

/**
 * The signature check of what the provider signs (ID tokens, signed user info), on
 * oauth4webapi's own key set cache (`validateApplicationLevelSignature`): it fetches `jwks_uri`
 * on first use, keeps the set 5 minutes, and refetches once for a key it does not know when its
 * copy is at least a minute old (OIDC Core §10.1.1: keys rotate), sharing one request between
 * concurrent callers. The one thing added here: when a refetch fails (the provider's key set is
 * down or answers garbage), the last good set stays in use for another cache period instead of
 * failing every sign-in, and is not refetched by every token in the meantime.
 */
export class IssuerKeys {
  readonly #options: IssuerKeysOptions
  /** The library's exported cache (`jwksCache` option): it writes the set it fetched into it. */
  #cache: oauth.JWKSCacheInput = {}
  #lastGood: oauth.JWKS | undefined

  constructor(options: IssuerKeysOptions) {
    this.#options = options
  }

  /** Checks the signature of the JWT in `ref` (a response oauth4webapi processed) against the issuer's keys. */
  async verify(as: oauth.AuthorizationServer, ref: Response, allowInsecure: boolean): Promise<void> {
    try {
      await this.#validate(as, ref, allowInsecure)
    } catch (error) {
      if (!isKeySetFailure(error) || !this.#lastGood) throw await this.#mapped(error)
      // Keep the last good keys, as if fetched just now: the library uses them for its cache
      // period and only then tries the key set again.
      this.#cache = { jwks: this.#lastGood, uat: Math.floor(Date.now() / 1000) }
      await this.#validate(as, ref, allowInsecure).catch(async (again: unknown) => {
        throw await this.#mapped(again)
      })
    }
  }

  async #validate(as: oauth.AuthorizationServer, ref: Response, allowInsecure: boolean): Promise<void> {
    await oauth.validateApplicationLevelSignature(as, ref, {
      [oauth.customFetch]: this.#options.fetch,
      [oauth.jwksCache]: this.#cache,
      [oauth.allowInsecureRequests]: allowInsecure,
    })
    if ('jwks' in this.#cache && this.#cache.jwks) this.#lastGood = this.#cache.jwks
  }

  #mapped(error: unknown): Promise<unknown> {
    return toUpstreamError(this.#options.provider, isKeySetFailure(error) ? 'jwks' : 'id_token', error)
  }
}

/**
 * True when the key set could not be had (not when a signature is wrong): our fetch failed
 * (unreachable, 5xx, over the cap) or the library refused the key set response itself.
 */
function isKeySetFailure(error: unknown): boolean {
  if (isUpstreamError(error)) return true
  if (!(error instanceof oauth.OperationProcessingError)) return false
  switch (error.code) {
    case oauth.RESPONSE_IS_NOT_CONFORM:
    case oauth.RESPONSE_IS_NOT_JSON:
    case oauth.PARSE_ERROR:
      return true
    case oauth.INVALID_RESPONSE:
      return /"keys"/.test(error.message)
    default:
      return false
  }
}
