import { DuckDBAppender, DuckDBExtractedStatements, DuckDBPreparedStatement } from '@duckdb/node-api'

/** Thrown when a connection, or a statement prepared on it, is used after its lease ended. */
export class LeaseEndedError extends Error {
  override readonly name = 'LeaseEndedError'
  constructor() {
    super('this DuckDB connection was leased by withUser() and its lease has ended; run queries inside fn')
  }
}

/** Methods a lease holder may not call: the connection belongs to the pool. */
const POOL_OWNED = new Set<PropertyKey>(['closeSync', 'disconnectSync', 'constructor'])

/**
 * One request's hold on a connection. `guard()` hands out proxies that work until `end()`,
 * then throw {@link LeaseEndedError}; statements and appenders created through them are
 * guarded too, since they could plan a query (and so read the caller) after the connection
 * has been bound to someone else. `end()` also waits for every call still in flight, so a
 * query the request forgot to await never runs on the next request's binding.
 */
export class Lease {
  #ended = false
  #endedError: () => Error = () => new LeaseEndedError()
  readonly #inFlight = new Set<Promise<unknown>>()

  /** A view of `target` that stops working when the lease ends. */
  guard<T extends object>(target: T): T {
    return new Proxy(target, { get: (object, property) => this.#get(object, property) })
  }

  /**
   * Stops new calls at once (they throw what `error` makes) without waiting: a query that ran
   * out of time is interrupted, and nothing may start after it.
   */
  stop(error: () => Error): void {
    this.#ended = true
    this.#endedError = error
  }

  /** Ends the lease: no new calls, then waits for the calls already made to settle. */
  async end(): Promise<void> {
    this.#ended = true
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  #get(target: object, property: PropertyKey): unknown {
    if (this.#ended) throw this.#endedError()
    const value: unknown = Reflect.get(target, property, target)
    if (typeof value !== 'function') return value
    if (POOL_OWNED.has(property)) {
      return () => {
        throw new Error(`${String(property)} is not allowed on a leased connection; the pool owns it`)
      }
    }
    return (...args: unknown[]) => this.#call(() => Reflect.apply(value, target, args))
  }

  #call(invoke: () => unknown): unknown {
    if (this.#ended) throw this.#endedError()
    const result = invoke()
    if (!(result instanceof Promise)) return this.#guardResult(result)
    this.#inFlight.add(result)
    const settle = (): void => {
      this.#inFlight.delete(result)
    }
    result.then(settle, settle)
    return result.then((value: unknown) => this.#guardResult(value))
  }

  #guardResult(value: unknown): unknown {
    const canPlan =
      value instanceof DuckDBPreparedStatement ||
      value instanceof DuckDBExtractedStatements ||
      value instanceof DuckDBAppender
    return canPlan ? this.guard(value) : value
  }
}
