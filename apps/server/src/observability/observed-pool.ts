import type { UserPool } from '@mxcp/duckdb-user-fns'
import type { ServerMetrics } from './metrics.js'

/** The pool, with the time (once `metrics()` gives a registry) each request waits for a connection measured (`mxcp_duckdb_pool_wait_seconds`). */
export function observePool(pool: UserPool, metrics: () => ServerMetrics | undefined): UserPool {
  return {
    withUser(user, fn) {
      const started = performance.now()
      return pool.withUser(user, (connection, statements) => {
        metrics()?.poolWait.observe((performance.now() - started) / 1000)
        return fn(connection, statements)
      })
    },
    close: () => pool.close(),
  }
}
