import { ANONYMOUS, type BoundUser } from './sql-user.js'

/**
 * Who is bound to which connection of one DuckDB database, keyed by DuckDB's own connection
 * id (the `ClientContext` that binds a query, which SQL cannot change). Connection ids are only
 * unique within one database, so there is one registry per database.
 */
export class UserRegistry {
  readonly id: string
  readonly #bound = new Map<number, BoundUser>()

  constructor(id: string) {
    this.id = id
  }

  /** Binds `user` to a connection; a connection is never bound twice at once. */
  bind(connectionId: number, user: BoundUser): void {
    // The pool leases a connection to one request at a time, so this cannot happen; refusing
    // it keeps a pool bug from silently showing one caller another caller's identity.
    if (this.#bound.has(connectionId)) throw new Error(`DuckDB connection ${connectionId} is already bound`)
    this.#bound.set(connectionId, user)
  }

  /** Forgets the binding of a connection. */
  clear(connectionId: number): void {
    this.#bound.delete(connectionId)
  }

  /** The user bound to a connection, or {@link ANONYMOUS} for any connection not leased. */
  lookup(connectionId: number): BoundUser {
    return this.#bound.get(connectionId) ?? ANONYMOUS
  }
}
