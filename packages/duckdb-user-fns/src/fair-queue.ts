/**
 * Lends a fixed set of items. When none is free, callers wait in arrival order and a returned
 * item goes straight to the longest waiter, so a burst of new callers cannot overtake it.
 */
export class FairQueue<T> {
  readonly #free: T[]
  readonly #waiters: ((item: T) => void)[] = []

  constructor(items: readonly T[]) {
    this.#free = [...items]
  }

  /** Takes a free item, or waits for one. */
  acquire(): Promise<T> {
    const item = this.#free.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  /** Gives an item back: to the first waiter if any, else to the free list. */
  release(item: T): void {
    const waiter = this.#waiters.shift()
    if (waiter === undefined) this.#free.push(item)
    else waiter(item)
  }
}
