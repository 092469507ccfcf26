import type { DuckDBConnection, DuckDBInstance, DuckDBMaterializedResult } from '@duckdb/node-api'
import { type ConnectionBaseline, cleanUp, readBaseline } from './connection-state.js'
import { FairQueue } from './fair-queue.js'
import { ensureUserFunctions } from './install-user-functions.js'
import { KeptStatements, type StatementTypes, type StatementValues } from './kept-statements.js'
import { Lease } from './lease.js'
import { QueryTexts } from './query-texts.js'
import { QueryTimeoutError } from './query-timeout.js'
import { redactSecret } from './redact-secret.js'
import { type BoundUser, identityKey, type SqlUser, toBoundUser } from './sql-user.js'
import type { UserRegistry } from './user-registry.js'

/** Options of {@link createUserPool}. */
export interface UserPoolOptions {
  /** Connections in the pool, hence requests running SQL at once. Default 4. */
  size?: number
  /**
   * How long one lease may run, ms; then its query is interrupted and `withUser()` rejects with
   * {@link QueryTimeoutError}. Default 30 000; `0` = no limit.
   */
  queryTimeoutMs?: number
  /**
   * Connections one user (by provider and user id) may hold at once; their further calls wait
   * while other users' calls go first. Default: half the pool, at least 1. Anonymous callers
   * (no authentication) are one user each call and are not limited.
   */
  maxConnectionsPerUser?: number
  /** How long a call waits for a connection before `PoolBusyError`, ms. Default 10 000. */
  maxWaitMs?: number
  /** Told, without values, why a connection was closed and replaced after a lease. */
  onDiscard?: (problems: readonly string[]) => void
}

/**
 * Runs statements the pool keeps prepared on the leased connection, for the lease's caller only
 * (the second argument of `withUser`'s fn).
 */
export interface LeasedStatements {
  /**
   * Runs `sql`, exactly one statement, with `values` bound to its parameters. The statement is
   * kept prepared on the connection for the next call of the same text by the same caller (every
   * field of the caller alike), when DuckDB binds it afresh on every run anyway; otherwise it is
   * prepared for this call and destroyed.
   */
  run(sql: string, values: StatementValues, types?: StatementTypes): Promise<DuckDBMaterializedResult>
}

/** What `withUser` runs with the leased connection and the caller bound. */
export type LeaseFunction<T> = (conn: DuckDBConnection, statements: LeasedStatements) => Promise<T>

/** Connections of one DuckDB database, each lent to one request at a time with its caller bound. */
export interface UserPool {
  /** Leases a connection, binds `user` (undefined = anonymous), runs fn, clears the binding, returns the connection. */
  withUser<T>(user: SqlUser | undefined, fn: LeaseFunction<T>): Promise<T>
  close(): Promise<void>
}

/**
 * Thrown by `withUser()` once an object in the database shadows a user function for every
 * connection (a macro `get_username` in the main schema, say): the pool then runs no SQL at
 * all rather than let a call read someone else's answer.
 */
export class UserFunctionShadowedError extends Error {
  override readonly name = 'UserFunctionShadowedError'
  constructor(problems: readonly string[]) {
    super(
      `refusing to run SQL: ${problems.join(', ')} on a fresh connection; drop the object named like a user function`,
    )
  }
}

/** Thrown by `withUser()` once `close()` has been called. */
export class UserPoolClosedError extends Error {
  override readonly name = 'UserPoolClosedError'
  constructor() {
    super('this UserPool is closed: withUser() was called after close()')
  }
}

const DEFAULT_SIZE = 4
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_WAIT_MS = 10_000

interface PooledConnection {
  readonly connection: DuckDBConnection
  /** DuckDB's id of the connection: what the user functions see when they are bound. */
  readonly id: number
  /** Statements prepared on it and kept across leases, per caller identity. */
  readonly statements: KeptStatements
}

/** Who holds a connection, for the per-user share: '' for anonymous callers (not limited). */
function holderOf(user: BoundUser): string {
  if (user.userId === '' && user.username === '') return ''
  return `${user.provider}\u0000${user.userId}\u0000${user.username}`
}

class LeasingUserPool implements UserPool {
  readonly #instance: DuckDBInstance
  readonly #connections = new Set<PooledConnection>()
  readonly #queue: FairQueue<PooledConnection>
  readonly #registry: UserRegistry
  readonly #baseline: ConnectionBaseline
  readonly #timeoutMs: number
  readonly #onDiscard: ((problems: readonly string[]) => void) | undefined
  readonly #queryTexts = new QueryTexts()
  /** Requests admitted and not finished, waiting ones included: close() lets them finish. */
  #admitted = 0
  #drained: (() => void) | undefined
  #closing: Promise<void> | undefined
  #shadowed: UserFunctionShadowedError | undefined

  constructor(
    instance: DuckDBInstance,
    connections: readonly PooledConnection[],
    registry: UserRegistry,
    baseline: ConnectionBaseline,
    options: Required<Pick<UserPoolOptions, 'queryTimeoutMs' | 'maxConnectionsPerUser' | 'maxWaitMs'>> &
      Pick<UserPoolOptions, 'onDiscard'>,
  ) {
    this.#instance = instance
    for (const pooled of connections) this.#connections.add(pooled)
    this.#queue = new FairQueue(connections, {
      perHolder: options.maxConnectionsPerUser,
      maxWaitMs: options.maxWaitMs,
    })
    this.#registry = registry
    this.#baseline = baseline
    this.#timeoutMs = options.queryTimeoutMs
    this.#onDiscard = options.onDiscard
  }

  async withUser<T>(user: SqlUser | undefined, fn: LeaseFunction<T>): Promise<T> {
    if (this.#closing !== undefined) throw new UserPoolClosedError()
    if (this.#shadowed !== undefined) throw this.#shadowed
    const bound = toBoundUser(user)
    const holder = holderOf(bound)
    this.#admitted++
    try {
      const pooled = await this.#queue.acquire(holder)
      const lease = new Lease()
      try {
        if (this.#shadowed !== undefined) throw this.#shadowed
        return await this.#run(pooled, lease, bound, fn)
      } finally {
        await this.#giveBack(pooled, lease, holder)
      }
    } finally {
      this.#admitted--
      if (this.#admitted === 0) this.#drained?.()
    }
  }

  async #run<T>(pooled: PooledConnection, lease: Lease, user: BoundUser, fn: LeaseFunction<T>): Promise<T> {
    let timedOut = false
    const timer =
      this.#timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true
            lease.markOpaque()
            lease.stop(() => new QueryTimeoutError(this.#timeoutMs))
            pooled.connection.interrupt()
          }, this.#timeoutMs)
        : undefined
    this.#registry.bind(pooled.id, user)
    let identity: string | undefined
    const statements: LeasedStatements = {
      run: (sql, values, types) => {
        identity ??= identityKey(user)
        const caller = identity
        return lease.run(sql, () => pooled.statements.run(pooled.connection, caller, sql, values, types))
      },
    }
    try {
      const result = await fn(lease.guard(pooled.connection), statements)
      // An interrupted streaming result can end like an exhausted one (no error, fewer rows):
      // past the time limit, whatever fn returns may be cut short.
      if (timedOut) throw new QueryTimeoutError(this.#timeoutMs)
      return result
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(this.#timeoutMs)
      throw redactSecret(error, user.externalToken)
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      await lease.end()
      this.#registry.clear(pooled.id)
    }
  }

  /**
   * Returns the connection, cleaned or replaced. If even a replacement cannot be had (the
   * database is closing or broken), the connection is dropped and the pool is one smaller: a
   * connection of unknown state is never lent again.
   */
  async #giveBack(pooled: PooledConnection, lease: Lease, holder: string): Promise<void> {
    let restored: PooledConnection
    try {
      restored = await this.#restore(pooled, lease)
    } catch {
      this.#connections.delete(pooled)
      try {
        pooled.statements.clear()
        pooled.connection.disconnectSync()
      } catch {
        // Already closed.
      }
      this.#queue.discard(holder)
      return
    }
    this.#queue.release(restored, holder)
  }

  /**
   * The connection cleaned, or a fresh one in its place when it cannot be cleaned. A lease that
   * ran nothing but SELECT statements (DuckDB's parser says so, per SQL text, remembered)
   * cannot have changed the connection: no transaction, object, setting, variable or prepared
   * statement outlives a SELECT in autocommit. Anything else gets the full check.
   */
  async #restore(pooled: PooledConnection, lease: Lease): Promise<PooledConnection> {
    if (!lease.opaque && (await this.#queryTexts.onlyQueries(pooled.connection, lease.sqlTexts)))
      return pooled
    // Cut short, or did something the SQL texts do not tell: its kept statements go too.
    if (lease.opaque) pooled.statements.clear()
    const problems = await cleanUp(pooled.connection, pooled.id, this.#registry, this.#baseline)
    if (problems.length === 0) return pooled
    this.#onDiscard?.(problems)
    this.#connections.delete(pooled)
    pooled.statements.clear()
    pooled.connection.disconnectSync()
    const fresh = await openPooled(this.#instance)
    this.#connections.add(fresh)
    // A fresh connection has no temporary objects: if it still resolves a user function to
    // another object, that object is in the database itself, and no connection is safe.
    const persistent = await cleanUp(fresh.connection, fresh.id, this.#registry, this.#baseline)
    if (persistent.length > 0) this.#shadowed = new UserFunctionShadowedError(persistent)
    return fresh
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown()
    return this.#closing
  }

  async #shutDown(): Promise<void> {
    if (this.#admitted > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    for (const { connection, statements } of this.#connections) {
      statements.clear()
      connection.disconnectSync()
    }
  }
}

async function openPooled(instance: DuckDBInstance): Promise<PooledConnection> {
  const connection = await instance.connect()
  return { connection, id: connection.clientContext.connectionId, statements: new KeptStatements() }
}

function checkOption(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`UserPoolOptions.${name} must be an integer >= ${minimum}, got ${String(value)}`)
  }
}

/**
 * Opens `options.size` connections on `instance` and installs the user functions on its
 * database. The pool does not own `instance`: close the pool, then the instance.
 */
export async function createUserPool(
  instance: DuckDBInstance,
  options: UserPoolOptions = {},
): Promise<UserPool> {
  const size = options.size ?? DEFAULT_SIZE
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`UserPoolOptions.size must be a positive integer, got ${String(size)}`)
  }
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS
  const maxConnectionsPerUser = options.maxConnectionsPerUser ?? Math.max(1, Math.floor(size / 2))
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS
  checkOption('queryTimeoutMs', queryTimeoutMs, 0)
  checkOption('maxConnectionsPerUser', maxConnectionsPerUser, 1)
  checkOption('maxWaitMs', maxWaitMs, 1)
  const connections: PooledConnection[] = []
  try {
    for (let i = 0; i < size; i++) connections.push(await openPooled(instance))
    const registry = await ensureUserFunctions(connections[0]!.connection)
    const baseline = await readBaseline(connections[0]!.connection)
    return new LeasingUserPool(instance, connections, registry, baseline, {
      queryTimeoutMs,
      maxConnectionsPerUser,
      maxWaitMs,
      onDiscard: options.onDiscard,
    })
  } catch (error) {
    for (const { connection } of connections) connection.disconnectSync()
    throw error
  }
}

/**
 * Runs `fn` on a connection of `pool` with `user` bound, so that `get_username()` and the other
 * user functions answer for `user` in every query `fn` runs. Pass `undefined` when
 * authentication is disabled or the request has no authenticated user: every function then
 * returns ''. Errors thrown by `fn` have the user's external token replaced by `[REDACTED]`.
 */
export function withUser<T>(pool: UserPool, user: SqlUser | undefined, fn: LeaseFunction<T>): Promise<T> {
  return pool.withUser(user, fn)
}
