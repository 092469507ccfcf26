import type pg from 'pg'
import { isUnavailable } from './store-errors.js'

/**
 * Runs `body` in a transaction on one pooled connection. Done by hand rather than with drizzle's
 * `transaction()`, which returns the connection to the pool even when its rollback failed: here a
 * connection whose state is unknown is destroyed instead.
 */
export async function runInTransaction<T>(
  pool: pg.Pool,
  body: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let reusable = true
  try {
    await client.query('BEGIN')
    const result = await body(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    // A connection that timed out or broke is not asked to roll back (it would only wait out
    // another query timeout): destroyed, it rolls back on the server by itself.
    reusable =
      !isUnavailable(error) &&
      (await client.query('ROLLBACK').then(
        () => true,
        () => false,
      ))
    throw error
  } finally {
    client.release(!reusable)
  }
}
