import { MemoryStore, type OAuthStore } from '@mxcp/auth-core'

/** Store methods that create something a flow could be said to have issued or stored. */
export const ISSUING_METHODS = [
  'saveClient',
  'saveTransaction',
  'saveCode',
  'saveTokens',
  'saveSession',
  'updateSession',
] as const satisfies readonly (keyof OAuthStore)[]

/** Store methods that take something away (revocation, single use, logout). */
export const REVOKING_METHODS = [
  'revokeToken',
  'revokeFamily',
  'deleteSession',
] as const satisfies readonly (keyof OAuthStore)[]

/** One call the server made on its store. */
export interface StoreCall {
  readonly method: keyof OAuthStore
  /** What was written, for `save*` methods (records carry hashes only, never a credential). */
  readonly argument: unknown
}

/** An `OAuthStore` that records every call the server makes on it, around a real store. */
export interface RecordingStore extends OAuthStore {
  /** Every call, in order, since the last `forget()`. */
  readonly calls: readonly StoreCall[]
  /** The issuing calls (`save*`, `updateSession`) among `calls`, by method name. */
  issued(): string[]
  /** The revoking calls (`revoke*`, `deleteSession`) among `calls`, by method name. */
  revoked(): string[]
  /** Forgets the recorded calls (the stored data stays). */
  forget(): void
  /** The store underneath, to read state without recording. */
  readonly inner: OAuthStore
}

const ISSUING: ReadonlySet<string> = new Set(ISSUING_METHODS)
const REVOKING: ReadonlySet<string> = new Set(REVOKING_METHODS)

function isStoreMethod(name: string, store: OAuthStore): name is keyof OAuthStore {
  return typeof (store as unknown as Record<string, unknown>)[name] === 'function'
}

/**
 * Wraps `inner` (a new `MemoryStore` by default) so that a test can assert "nothing was issued
 * or stored" on the store itself, not only on the HTTP answer.
 */
export function recordingStore(inner: OAuthStore = new MemoryStore()): RecordingStore {
  const calls: StoreCall[] = []
  const extras = {
    calls,
    inner,
    issued: (): string[] => calls.filter((call) => ISSUING.has(call.method)).map((call) => call.method),
    revoked: (): string[] => calls.filter((call) => REVOKING.has(call.method)).map((call) => call.method),
    forget: (): void => {
      calls.length = 0
    },
  }
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && Object.hasOwn(extras, property))
        return extras[property as keyof typeof extras]
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof property !== 'string' || typeof value !== 'function' || !isStoreMethod(property, target))
        return value
      const method = property
      return (...args: unknown[]): unknown => {
        calls.push({ method, argument: args[0] })
        return Reflect.apply(value, target, args)
      }
    },
  }) as RecordingStore
}
