import type { Clock } from '../../clock.js'

/** What a load produced, and how long it is fresh (milliseconds). */
export interface Loaded<T> {
  readonly value: T
  readonly freshMs: number
}

interface Entry<T> {
  readonly value: T
  /** Until then the value is used without asking again. */
  readonly refreshAt: number
  /** Until then the value may stand in when a refresh fails for a transient reason. */
  readonly usableUntil: number
}

/** How long copies are kept and which failures they may bridge. */
export interface DocumentCacheOptions {
  readonly clock: Clock
  /** How long after a fetch a copy may still stand in for a failed refresh (the operator's ceiling). */
  readonly usableMs: number
  /** Most entries kept; the least recently fetched goes first. */
  readonly maxEntries: number
  /** True for failures a cached copy may bridge (the server was unreachable, slow, or answered 5xx). */
  readonly isTransient: (error: unknown) => boolean
}

/**
 * Fetched documents by URL, each fresh for as long as its load said (RFC 9111 freshness, clamped
 * by the caller). One load per URL at a time: concurrent requests for one client share a fetch.
 * When a refresh fails for a transient reason, a copy fetched less than `usableMs` ago is used
 * instead (the failure is reported to `onStale`); any other failure drops the copy.
 */
export class DocumentCache<T> {
  readonly #options: DocumentCacheOptions
  readonly #entries = new Map<string, Entry<T>>()
  readonly #inflight = new Map<string, Promise<T>>()

  constructor(options: DocumentCacheOptions) {
    this.#options = options
  }

  /** The cached value for `key` while fresh; else a new load (shared with concurrent callers). */
  get(key: string, load: () => Promise<Loaded<T>>, onStale: (error: unknown) => void): Promise<T> {
    const cached = this.#entries.get(key)
    if (cached && this.#options.clock.now() < cached.refreshAt) return Promise.resolve(cached.value)
    const running = this.#inflight.get(key)
    if (running) return running
    const pending = this.#refresh(key, load, cached, onStale).finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, pending)
    return pending
  }

  /** The value cached for `key`, fresh or not (for tests and diagnostics). */
  peek(key: string): T | undefined {
    return this.#entries.get(key)?.value
  }

  async #refresh(
    key: string,
    load: () => Promise<Loaded<T>>,
    cached: Entry<T> | undefined,
    onStale: (error: unknown) => void,
  ): Promise<T> {
    let loaded: Loaded<T>
    try {
      loaded = await load()
    } catch (error) {
      if (cached && this.#options.isTransient(error) && this.#options.clock.now() < cached.usableUntil) {
        onStale(error)
        return cached.value
      }
      this.#entries.delete(key)
      throw error
    }
    const now = this.#options.clock.now()
    this.#entries.delete(key)
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(key, {
      value: loaded.value,
      refreshAt: now + loaded.freshMs,
      usableUntil: now + this.#options.usableMs,
    })
    return loaded.value
  }
}
