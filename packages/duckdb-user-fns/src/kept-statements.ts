import {
  type DuckDBConnection,
  type DuckDBMaterializedResult,
  type DuckDBPreparedStatement,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api'

/** Values for a statement's parameters, by name (`$name`) or position, as the Node API binds them. */
export type StatementValues = DuckDBValue[] | Record<string, DuckDBValue>
/** Their types, likewise. */
export type StatementTypes = DuckDBType[] | Record<string, DuckDBType | undefined>

/** Statements kept per connection at most; the least recently used goes first. */
const MAX_KEPT = 16

/**
 * Parameter types a plan may hold that no bound value ever has: DuckDB compares each bound
 * value's type with its parameter's type before a prepared statement runs, and binds the whole
 * statement again when they differ. A parameter in an untyped position (`'Hello, ' || $name`)
 * stays a literal type, so such a statement is planned afresh on every run.
 */
const UNSETTLED_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.INVALID,
  DuckDBTypeId.ANY,
  DuckDBTypeId.STRING_LITERAL,
  DuckDBTypeId.INTEGER_LITERAL,
])

/**
 * True when DuckDB binds the statement again on each run (see {@link UNSETTLED_TYPES}): then a
 * kept statement reads everything binding reads (the user functions' caller, globbed files,
 * the catalog) as a new one would, and only parsing and one native round trip are saved. A
 * statement planned once would keep what it read when prepared (`glob()` keeps its file list),
 * so such statements are never kept.
 */
function replannedOnEveryRun(statement: DuckDBPreparedStatement): boolean {
  for (let index = 1; index <= statement.parameterCount; index++) {
    if (UNSETTLED_TYPES.has(statement.parameterTypeId(index))) return true
  }
  return false
}

interface KeptStatement {
  readonly sql: string
  readonly identity: string
  readonly statement: DuckDBPreparedStatement
  /** Running now: a second run of the same text in the same lease prepares its own statement. */
  busy: boolean
}

/**
 * Prepared statements of one pooled connection, kept from one lease to the next, each for one
 * SQL text and one caller identity ({@link identityKey}: every field, attributes and external
 * token included). DuckDB fixes the user functions' answers when it binds a statement, so a
 * statement is only ever run again for the very same identity, on the connection that
 * prepared it. The pool drops them all when the connection's state is in doubt.
 */
export class KeptStatements {
  /** By identity, then SQL text (identity keys are JSON: they hold no raw NUL). */
  readonly #kept = new Map<string, KeptStatement>()

  /** Runs one statement of `sql` with `values` bound, for the caller `identity` bound to `connection`. */
  async run(
    connection: DuckDBConnection,
    identity: string,
    sql: string,
    values: StatementValues,
    types?: StatementTypes,
  ): Promise<DuckDBMaterializedResult> {
    const key = `${identity}\u0000${sql}`
    const found = this.#kept.get(key)
    if (found !== undefined && !found.busy && found.sql === sql && found.identity === identity) {
      return this.#runKept(key, found, values, types)
    }
    const statement = await connection.prepare(sql)
    let kept = false
    try {
      statement.bind(values, types)
      const result = await statement.run()
      kept = found === undefined && this.#keep(key, { sql, identity, statement, busy: false })
      return result
    } finally {
      if (!kept) statement.destroySync()
    }
  }

  /** Destroys every kept statement (the connection is being replaced, closed, or is in doubt). */
  clear(): void {
    for (const { statement } of this.#kept.values()) statement.destroySync()
    this.#kept.clear()
  }

  async #runKept(
    key: string,
    kept: KeptStatement,
    values: StatementValues,
    types: StatementTypes | undefined,
  ): Promise<DuckDBMaterializedResult> {
    // Most recently used last.
    this.#kept.delete(key)
    this.#kept.set(key, kept)
    kept.busy = true
    try {
      // No value of an earlier call may stand in for one this call leaves out.
      kept.statement.clearBindings()
      kept.statement.bind(values, types)
      const result = await kept.statement.run()
      if (replannedOnEveryRun(kept.statement)) return result
      this.#drop(key, kept)
      return result
    } catch (error) {
      // A statement that failed is not trusted again: the next call prepares a new one.
      this.#drop(key, kept)
      throw error
    } finally {
      kept.busy = false
    }
  }

  /** Keeps a statement that ran, if DuckDB plans it afresh on each run; false if not kept. */
  #keep(key: string, kept: KeptStatement): boolean {
    if (!replannedOnEveryRun(kept.statement)) return false
    if (this.#kept.size >= MAX_KEPT) {
      const oldest = this.#leastRecentlyUsedIdle()
      if (oldest === undefined) return false
      this.#drop(oldest[0], oldest[1])
    }
    this.#kept.set(key, kept)
    return true
  }

  #leastRecentlyUsedIdle(): [string, KeptStatement] | undefined {
    for (const entry of this.#kept) if (!entry[1].busy) return entry
    return undefined
  }

  #drop(key: string, kept: KeptStatement): void {
    if (this.#kept.get(key) === kept) this.#kept.delete(key)
    kept.statement.destroySync()
  }
}
