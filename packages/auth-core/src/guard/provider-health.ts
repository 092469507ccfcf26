import { UpstreamUnavailableError } from '../errors/upstream-error.js'

/** How long a request waits for a revalidation when a stale profile could be served instead, ms. */
export const STALE_ANSWER_WAIT_MS = 1_500

const FIRST_PROBE_GAP_MS = 1_000
const LAST_PROBE_GAP_MS = 5_000

/** The provider is known to be failing and the session's last known profile is too old to serve. */
export class ProviderOutageError extends UpstreamUnavailableError {}

/**
 * Whether calls to the identity provider are failing right now (network error, timeout, 5xx, 429),
 * and the one probe allowed upstream while they are: a provider that is down is not hammered by
 * every request of every session, and each request is answered at once (stale profile or 503)
 * instead of waiting for a timeout of its own.
 */
export class ProviderHealth {
  #failingSince: number | undefined
  #probing = false
  /** No probe before this (epoch ms): probes are spaced out, 1 s doubling to 5 s, while they fail. */
  #nextProbeAt = 0
  #probeGapMs = FIRST_PROBE_GAP_MS

  get failing(): boolean {
    return this.#failingSince !== undefined
  }

  /** When the current outage was first seen (epoch ms), if there is one. */
  get failingSince(): number | undefined {
    return this.#failingSince
  }

  failed(now: number): void {
    this.#failingSince ??= now
    this.#nextProbeAt = now + this.#probeGapMs
    this.#probeGapMs = Math.min(this.#probeGapMs * 2, LAST_PROBE_GAP_MS)
  }

  recovered(): void {
    this.#failingSince = undefined
    this.#nextProbeAt = 0
    this.#probeGapMs = FIRST_PROBE_GAP_MS
  }

  /** Runs `probe` unless one is running or the last failed too recently; true if this call started it. */
  tryProbe(now: number, probe: () => Promise<unknown>): boolean {
    if (this.#probing || now < this.#nextProbeAt) return false
    this.#probing = true
    probe()
      .catch(() => {})
      .finally(() => {
        this.#probing = false
      })
    return true
  }
}

/** True for failures that say nothing about the user's tokens: the provider could not answer. */
export function isOutage(error: unknown): boolean {
  return error instanceof UpstreamUnavailableError
}
