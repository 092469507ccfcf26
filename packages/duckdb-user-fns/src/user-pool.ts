import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { FairQueue } from './fair-queue.js'
import { ensureUserFunctions } from './install-user-functions.js'
import { Lease } from './lease.js'
import { redactSecret } from './redact-secret.js'
import { type BoundUser, type SqlUser, toBoundUser } from './sql-user.js'
import type { UserRegistry } from './user-registry.js'

/** Options of {@link createUserPool}. */
export interface UserPoolOptions {
  /** Connections in the pool, hence requests running SQL at once. Default 4. */
  size?: number
}

/** Connections of one DuckDB database, each lent to one request at a time with its caller bound. */
export interface UserPool {
  /** Leases a connection, binds `user` (undefined = anonymous), runs fn, clears the binding, returns the connection. */
  withUser<T>(user: SqlUser | undefined, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Thrown by `withUser()` once `close()` has been called. */
export class UserPoolClosedError extends Error {
  override readonly name = 'UserPoolClosedError'
  constructor() {
    super('this UserPool is closed: withUser() was called after close()')
  }
}

const DEFAULT_SIZE = 4

interface PooledConnection {
  readonly connection: DuckDBConnection
  /** DuckDB's id of the connection: what the user functions see when they are bound. */
  readonly id: number
}

class LeasingUserPool implements UserPool {
  readonly #connections: readonly PooledConnection[]
  readonly #queue: FairQueue<PooledConnection>
  readonly #registry: UserRegistry
  /** Requests admitted and not finished, waiting ones included: close() lets them finish. */
  #admitted = 0
  #drained: (() => void) | undefined
  #closing: Promise<void> | undefined

  constructor(connections: readonly PooledConnection[], registry: UserRegistry) {
    this.#connections = connections
    this.#queue = new FairQueue(connections)
    this.#registry = registry
  }

  async withUser<T>(user: SqlUser | undefined, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new UserPoolClosedError()
    const bound = toBoundUser(user)
    this.#admitted++
    try {
      const pooled = await this.#queue.acquire()
      try {
        return await this.#run(pooled, bound, fn)
      } finally {
        this.#queue.release(pooled)
      }
    } finally {
      this.#admitted--
      if (this.#admitted === 0) this.#drained?.()
    }
  }

  async #run<T>(
    pooled: PooledConnection,
    user: BoundUser,
    fn: (conn: DuckDBConnection) => Promise<T>,
  ): Promise<T> {
    const lease = new Lease()
    this.#registry.bind(pooled.id, user)
    try {
      return await fn(lease.guard(pooled.connection))
    } catch (error) {
      throw redactSecret(error, user.externalToken)
    } finally {
      await lease.end()
      this.#registry.clear(pooled.id)
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown()
    return this.#closing
  }

  async #shutDown(): Promise<void> {
    if (this.#admitted > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    for (const { connection } of this.#connections) connection.disconnectSync()
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
  const connections: PooledConnection[] = []
  try {
    for (let i = 0; i < size; i++) {
      const connection = await instance.connect()
      connections.push({ connection, id: connection.clientContext.connectionId })
    }
    const registry = await ensureUserFunctions(connections[0]!.connection)
    return new LeasingUserPool(connections, registry)
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
export function withUser<T>(
  pool: UserPool,
  user: SqlUser | undefined,
  fn: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  return pool.withUser(user, fn)
}
