import type { CustomFetchOptions } from 'oauth4webapi'
import { bodyFailure } from './body-failure.js'
import { type UpstreamHttpOptions, upstreamFetch } from './http.js'
import { readCappedText } from './read-capped-body.js'

/** Statuses whose `Response` may carry no body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/** The `fetch` oauth4webapi calls (its `customFetch` option). */
export type GuardedFetch = (url: string, init: CustomFetchOptions<string, unknown>) => Promise<Response>

/**
 * The `customFetch` we give oauth4webapi: every request it makes to a provider (discovery, key
 * set, token, user info, revocation) goes through `upstreamFetch` (connect and total deadlines;
 * network failures, 5xx and 429 as `UpstreamUnavailableError`) and its body is read at once with
 * the 1 MiB cap (`readCappedText`), so the library only ever parses a bounded, fully received
 * body. A body that stalls or breaks off is `UpstreamUnavailableError`, an oversized one
 * `UpstreamResponseError`; both pass through the library untouched. Keep one per client: the
 * library shares a pending key set request only between calls with the same `fetch`.
 */
export function guardedFetch(http: UpstreamHttpOptions): GuardedFetch {
  return async (url, init) => {
    const response = await upstreamFetch(
      url,
      {
        method: init.method,
        headers: init.headers,
        ...(init.body === undefined || init.body === null ? {} : { body: init.body as RequestInit['body'] }),
      },
      http,
    )
    const text = await readCappedText(response, http.provider).catch(bodyFailure(http.provider))
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}
