import {
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
} from '../errors/upstream-error.js'
import { bodyFailure } from './body-failure.js'
import { DEFAULT_UPSTREAM_TOTAL_TIMEOUT_MS, deadlineInit } from './deadlines.js'
import { readCappedText } from './read-capped-body.js'
import { upstreamTransport } from './upstream-transport.js'

export const DEFAULT_UPSTREAM_TIMEOUT_MS = DEFAULT_UPSTREAM_TOTAL_TIMEOUT_MS

export interface UpstreamHttpOptions {
  /** Provider id, for error messages. */
  readonly provider: string
  readonly fetch?: typeof fetch | undefined
  readonly timeoutMs?: number | undefined
  /** Connect deadline, ms (see `deadlines.ts`). */
  readonly connectTimeoutMs?: number | undefined
}

/**
 * One HTTP request to an identity provider. Network failures, timeouts, 5xx and 429 become
 * `UpstreamUnavailableError`; the URL's query string is never put in a message.
 */
export async function upstreamFetch(
  url: string | URL,
  init: RequestInit,
  options: UpstreamHttpOptions,
): Promise<Response> {
  const target = new URL(url)
  const where = `${target.origin}${target.pathname}`
  let response: Response
  try {
    const deadlines = deadlineInit({
      totalMs: options.timeoutMs,
      connectMs: options.connectTimeoutMs,
      injectedFetch: options.fetch !== undefined,
    })
    response = await (options.fetch ?? upstreamTransport)(target, {
      ...init,
      redirect: 'manual',
      ...deadlines,
    })
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError'
    throw new UpstreamUnavailableError(
      options.provider,
      `${options.provider} ${timedOut ? 'did not answer in time' : 'could not be reached'} at ${where}`,
      undefined,
      { cause },
    )
  }
  // 429: the provider is rationing us; like a 5xx it says nothing about the user's tokens.
  if (response.status >= 500 || response.status === 429) {
    await response.body?.cancel()
    throw new UpstreamUnavailableError(
      options.provider,
      `${options.provider} answered ${response.status} at ${where}`,
      response.status,
    )
  }
  return response
}

/** Reads a JSON body (at most `MAX_UPSTREAM_BODY_BYTES`), or throws `UpstreamResponseError` naming what came instead. */
export async function readJson(response: Response, provider: string): Promise<unknown> {
  const text = await readCappedText(response, provider).catch(bodyFailure(provider))
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    const type = response.headers.get('content-type') ?? 'no content type'
    throw new UpstreamResponseError(
      provider,
      `${provider} answered ${response.status} with a body that is not JSON (${type})`,
      response.status,
      { cause },
    )
  }
}

/** Narrows an unknown body to a plain object. */
export function asRecord(value: unknown, provider: string, what: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>
  throw new UpstreamResponseError(provider, `${provider} ${what} is not a JSON object`)
}

/** A string field, or undefined. Numbers are turned into strings (GitHub's numeric ids). */
export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key]
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

/** Throws `UpstreamOAuthError` if the body carries an OAuth `error` field (RFC 6749 §5.2). */
export function throwIfOAuthError(body: Record<string, unknown>, provider: string): void {
  const code = stringField(body, 'error')
  if (code) throw new UpstreamOAuthError(provider, code, stringField(body, 'error_description'))
}

/** The HTTP options of a provider's own requests (`upstreamFetch`), from the plugin's runtime. */
export function upstreamHttp(
  provider: string,
  runtime: { readonly fetch?: typeof fetch | undefined; readonly timeoutMs?: number | undefined },
): UpstreamHttpOptions {
  return { provider, fetch: runtime.fetch, timeoutMs: runtime.timeoutMs }
}
