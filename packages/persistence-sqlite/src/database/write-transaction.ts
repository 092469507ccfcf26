import type Database from 'better-sqlite3'

/** Runs `work` in one `BEGIN IMMEDIATE` transaction and returns what it returns. */
export type WriteTransaction = <T>(work: () => T) => T

/**
 * `BEGIN IMMEDIATE … COMMIT` (rolled back if `work` throws) around any work on the connection,
 * built once: better-sqlite3 (and drizzle's `transaction()` over it) builds a new transaction
 * function on every call. `IMMEDIATE` takes the write lock first, so what the work reads stays
 * true until it commits. Nested inside another transaction, it is a savepoint of it.
 */
export function immediateTransactions(client: Database.Database): WriteTransaction {
  const transaction = client.transaction((work: () => unknown) => work())
  return transaction.immediate as WriteTransaction
}
