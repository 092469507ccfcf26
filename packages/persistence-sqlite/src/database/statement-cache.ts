import type Database from 'better-sqlite3'

const PRAGMA = /^\s*pragma\b/i

/** Distinct SQL texts kept prepared per connection; the oldest goes first beyond it. */
export const STATEMENT_CACHE_SIZE = 500

/**
 * Makes `client.prepare` keep what it prepared, keyed by the SQL text: drizzle prepares every
 * query it runs afresh (SQLite parses and plans it each time), although the store runs the same
 * few dozen texts over and over with different parameters. A statement is handed out again only
 * once its previous run is over (better-sqlite3 runs `get`, `all` and `run` to completion, and
 * nothing here iterates), reset to return rows as objects, as a fresh one would (drizzle switches
 * it to arrays with `raw()` itself where it wants them). The statements better-sqlite3 prepares
 * internally (transactions, `pragma()`) do not pass through here, and a `PRAGMA` is never kept.
 */
export function cacheStatements(client: Database.Database, size = STATEMENT_CACHE_SIZE): void {
  const prepare = client.prepare.bind(client)
  const statements = new Map<string, Database.Statement>()
  const cached = (source: string): Database.Statement => {
    // SQLite carries out many pragmas while preparing them: each must be prepared afresh.
    if (PRAGMA.test(source)) return prepare(source)
    const statement = statements.get(source)
    if (statement !== undefined) {
      // Most recently used last, so the first key is the one to drop.
      statements.delete(source)
      statements.set(source, statement)
      if (statement.reader) statement.raw(false)
      return statement
    }
    const fresh = prepare(source)
    if (statements.size >= size) {
      const oldest = statements.keys().next()
      if (oldest.done !== true) statements.delete(oldest.value)
    }
    statements.set(source, fresh)
    return fresh
  }
  client.prepare = cached as Database.Database['prepare']
}
