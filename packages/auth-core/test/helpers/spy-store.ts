import type { OAuthStore } from '../../src/index.js'

/** An `OAuthStore` that records the name of every method called, around a real store. */
export interface SpyStore extends OAuthStore {
  readonly calls: string[]
  /** How many times `method` was called. */
  count(method: keyof OAuthStore): number
  /** Forget recorded calls. */
  reset(): void
}

export function spyStore(inner: OAuthStore): SpyStore {
  const calls: string[] = []
  const extra = {
    calls,
    count: (method: keyof OAuthStore) => calls.filter((call) => call === method).length,
    reset: () => {
      calls.length = 0
    },
  }
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in extra) return extra[property as keyof typeof extra]
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return (...args: unknown[]) => {
        calls.push(property)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  }) as SpyStore
}

/** Methods that write something a flow could be said to have "issued" or "stored". */
export const WRITES: readonly (keyof OAuthStore)[] = [
  'saveClient',
  'saveTransaction',
  'saveCode',
  'saveTokens',
  'saveSession',
  'updateSession',
]

/** The write methods among the recorded calls. */
export function writes(store: SpyStore): string[] {
  return store.calls.filter((call) => (WRITES as readonly string[]).includes(call))
}
