/**
 * Runs callbacks one at a time per key, within this process. A store's session lock
 * (`OAuthStore.withSessionLock`) queues one process's callers of a session here first, so only the
 * head of the queue asks the database for the cross-process lock (one connection or lease per
 * session and process, not one per caller); the memory store needs nothing more.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>()

  /** Runs `fn` once every earlier call with the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const done = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = previous.then(() => done)
    this.#tails.set(key, tail)
    try {
      await previous
      return await fn()
    } finally {
      release()
      // Forget the key when nobody queued behind us, so the map does not grow with every session.
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
