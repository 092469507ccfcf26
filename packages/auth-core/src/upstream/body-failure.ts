import { isUpstreamError, UpstreamUnavailableError } from '../errors/upstream-error.js'

/**
 * Turns a failure while a provider's body streams in (the total deadline's `AbortSignal` firing
 * mid-body, the connection dropping) into the upstream error set: the provider is unavailable,
 * which the client hears as `temporarily_unavailable` at once, never a 500 (issue 23). Errors
 * already in the set (the size cap) pass through.
 */
export function bodyFailure(provider: string): (error: unknown) => never {
  return (error) => {
    if (isUpstreamError(error)) throw error
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    throw new UpstreamUnavailableError(
      provider,
      `${provider} ${timedOut ? 'did not finish its answer in time' : 'broke off its answer'}`,
      undefined,
      { cause: error },
    )
  }
}
