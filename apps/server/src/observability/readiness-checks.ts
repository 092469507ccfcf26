import type { OAuthStore } from '@mxcp/auth-core'
import type { UserPool } from '@mxcp/duckdb-user-fns'
import type { ReadinessCheck } from './health-routes.js'

/** A client id no registration ever yields (they are UUIDs): the probe reads a row that is not there. */
const PROBE_CLIENT_ID = 'readyz-probe'

/**
 * What `/readyz` asks: the OAuth store (one read that goes to its database; none with state in
 * memory) and DuckDB (`SELECT 1` on a pooled connection, so a pool stuck on long queries reads
 * as not ready too).
 */
export function readinessChecks(
  store: OAuthStore | undefined,
  pool: UserPool,
): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    duckdb: () => pool.withUser(undefined, (connection) => connection.run('SELECT 1')),
  }
  if (store) checks['store'] = () => store.getClient(PROBE_CLIENT_ID)
  return checks
}
