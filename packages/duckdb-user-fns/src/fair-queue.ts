/** Thrown when no item was free for a caller within the wait the queue allows. */
export class PoolBusyError extends Error {
  override readonly name = 'PoolBusyError'
  constructor(waitedMs: number) {
    super(`the database is busy: no connection became free within ${waitedMs} ms; try again`)
  }
}

/** A free item, and who held it last (undefined: nobody yet). */
interface FreeItem<T> {
  readonly item: T
  readonly lastHolder: string | undefined
}

interface Waiter<T> {
  readonly holder: string
  readonly resolve: (item: T) => void
  readonly timer: NodeJS.Timeout | undefined
}

/** Options of {@link FairQueue}. */
export interface FairQueueOptions {
  /** Items one holder may have at once; holders named '' are not limited. Default: all. */
  readonly perHolder?: number
  /** How long `acquire()` waits before {@link PoolBusyError}, ms. Default: forever. */
  readonly maxWaitMs?: number
}

/**
 * Lends a fixed set of items. When none is free, callers wait in arrival order and a returned
 * item goes straight to the longest waiter, so a burst of new callers cannot overtake it. A
 * holder (one user) holds at most `perHolder` items: its further calls wait while other
 * holders' calls pass them, so one user flooding the pool cannot starve the others.
 *
 * Which free item a caller gets: one its holder was the last to hold, if any is free, else the one
 * free the longest. Who is served, and when, does not depend on it; the preference only lets a
 * holder find what it left on an item (the pool's statements kept per caller).
 */
export class FairQueue<T> {
  readonly #free: FreeItem<T>[]
  readonly #waiters: Waiter<T>[] = []
  readonly #held = new Map<string, number>()
  readonly #perHolder: number
  readonly #maxWaitMs: number | undefined

  constructor(items: readonly T[], options: FairQueueOptions = {}) {
    this.#free = items.map((item) => ({ item, lastHolder: undefined }))
    this.#perHolder = options.perHolder ?? Number.POSITIVE_INFINITY
    this.#maxWaitMs = options.maxWaitMs
  }

  /** Takes a free item for `holder`, or waits for one (at most `maxWaitMs`). */
  acquire(holder = ''): Promise<T> {
    if (this.#free.length > 0 && this.#mayHold(holder) && !this.#waiters.some((w) => w.holder === holder)) {
      this.#take(holder)
      return Promise.resolve(this.#takeFree(holder))
    }
    return new Promise((resolve, reject) => {
      const maxWait = this.#maxWaitMs
      const timer =
        maxWait === undefined
          ? undefined
          : setTimeout(() => {
              const index = this.#waiters.indexOf(waiter)
              if (index >= 0) this.#waiters.splice(index, 1)
              reject(new PoolBusyError(maxWait))
            }, maxWait)
      const waiter: Waiter<T> = { holder, resolve, timer }
      this.#waiters.push(waiter)
    })
  }

  /** Gives back an item `holder` took: to the first waiter allowed to hold it, else to the free list. */
  release(item: T, holder = ''): void {
    this.#untake(holder)
    this.#free.push({ item, lastHolder: holder })
    this.#dispatch()
  }

  /** Ends `holder`'s hold on an item that is gone for good (it could not be returned). */
  discard(holder = ''): void {
    this.#untake(holder)
    this.#dispatch()
  }

  #untake(holder: string): void {
    const count = (this.#held.get(holder) ?? 1) - 1
    if (count === 0) this.#held.delete(holder)
    else this.#held.set(holder, count)
  }

  /** Hands free items to waiters in arrival order, skipping those whose holder is at its share. */
  #dispatch(): void {
    for (let i = 0; i < this.#waiters.length && this.#free.length > 0; ) {
      const waiter = this.#waiters[i]!
      if (!this.#mayHold(waiter.holder)) {
        i++
        continue
      }
      this.#waiters.splice(i, 1)
      if (waiter.timer !== undefined) clearTimeout(waiter.timer)
      this.#take(waiter.holder)
      waiter.resolve(this.#takeFree(waiter.holder))
    }
  }

  /** Removes a free item for `holder` (there is one): one it held last, else the one free longest. */
  #takeFree(holder: string): T {
    const own = this.#free.findIndex((free) => free.lastHolder === holder)
    const [taken] = this.#free.splice(Math.max(own, 0), 1)
    return (taken as FreeItem<T>).item
  }

  #mayHold(holder: string): boolean {
    return holder === '' || (this.#held.get(holder) ?? 0) < this.#perHolder
  }

  #take(holder: string): void {
    this.#held.set(holder, (this.#held.get(holder) ?? 0) + 1)
  }
}
