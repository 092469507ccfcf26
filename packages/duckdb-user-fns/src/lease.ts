import {
  DuckDBAppender,
  DuckDBConnection,
  DuckDBExtractedStatements,
  DuckDBPreparedStatement,
} from '@duckdb/node-api'

/** Thrown when a connection, or a statement prepared on it, is used after its lease ended. */
export class LeaseEndedError extends Error {
  override readonly name = 'LeaseEndedError'
  constructor() {
    super('this DuckDB connection was leased by withUser() and its lease has ended; run queries inside fn')
  }
}

/** Methods a lease holder may not call: the connection belongs to the pool. */
const POOL_OWNED = new Set<PropertyKey>(['closeSync', 'disconnectSync', 'constructor'])

/** Connection methods whose first argument is SQL text. */
const SQL_METHODS = new Set<PropertyKey>([
  'run',
  'runAndRead',
  'runAndReadAll',
  'runAndReadUntil',
  'stream',
  'streamAndRead',
  'streamAndReadAll',
  'streamAndReadUntil',
  'start',
  'startThenRead',
  'startThenReadAll',
  'startThenReadUntil',
  'startStream',
  'startStreamThenRead',
  'startStreamThenReadAll',
  'startStreamThenReadUntil',
  'prepare',
  'extractStatements',
])

/** Connection methods that cannot change the connection's state. */
const STATELESS_METHODS = new Set<PropertyKey>([
  'interrupt',
  'getClientContext',
  'getTableNames',
  'createAppender',
])

/**
 * One request's hold on a connection. `guard()` hands out proxies that work until `end()`,
 * then throw {@link LeaseEndedError}; statements and appenders created through them are
 * guarded too, since they could plan a query (and so read the caller) after the connection
 * has been bound to someone else. `end()` also waits for every call still in flight, so a
 * query the request forgot to await never runs on the next request's binding.
 */
export class Lease {
  #ended = false
  readonly #sql: string[] = []
  /** True once something ran whose effect on the connection is not known from SQL text. */
  #opaque = false
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

  /** The SQL texts run on the connection during the lease, in order. */
  get sqlTexts(): readonly string[] {
    return this.#sql
  }

  /**
   * True when the lease did something other than running SQL text (registering a function,
   * say), or was cut short: then only a full check tells the connection's state.
   */
  get opaque(): boolean {
    return this.#opaque
  }

  /** Marks the lease as needing a full check (a query was interrupted, for one). */
  markOpaque(): void {
    this.#opaque = true
  }

  /**
   * Runs `invoke`, which runs `sql` on the connection by other means than the guarded proxies
   * (a statement the pool kept): as a call of the lease, refused once it ended, its SQL text
   * noted for the check after the lease, and awaited by `end()`.
   */
  run<T>(sql: string, invoke: () => Promise<T>): Promise<T> {
    if (this.#ended) return Promise.reject(this.#endedError())
    this.#sql.push(sql)
    return this.#call(invoke) as Promise<T>
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
    if (target instanceof DuckDBConnection) this.#note(property)
    return (...args: unknown[]) => {
      if (target instanceof DuckDBConnection && SQL_METHODS.has(property)) {
        if (typeof args[0] === 'string') this.#sql.push(args[0])
        else this.#opaque = true
      }
      return this.#call(() => Reflect.apply(value, target, args))
    }
  }

  /** A connection method other than SQL-running and stateless ones makes the lease opaque. */
  #note(property: PropertyKey): void {
    if (!SQL_METHODS.has(property) && !STATELESS_METHODS.has(property)) this.#opaque = true
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
