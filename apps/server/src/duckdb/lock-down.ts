import type { DuckDBConnection } from '@duckdb/node-api'
import { type AccessPolicy, sqlStringList } from './access-policy.js'

/**
 * Settings given when the instance is created: no extension is installed or loaded on demand,
 * no community or unsigned extension ever (DuckDB 1.5 settings of these names).
 */
export const INSTANCE_SETTINGS = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
} as const

/**
 * Closes DuckDB to the outside before anything else runs: only the policy's folders, URL
 * prefixes and files are reachable (`allowed_directories`, `allowed_paths` — they can only be
 * set while external access is still on, then `enable_external_access=false`, which also stops
 * INSTALL/LOAD of any extension not yet loaded), and DuckDB's own log is off.
 */
export async function restrictAccess(connection: DuckDBConnection, policy: AccessPolicy): Promise<void> {
  await connection.run(`SET allowed_directories = ${sqlStringList(policy.directories)}`)
  await connection.run(`SET allowed_paths = ${sqlStringList(policy.files)}`)
  await connection.run('SET enable_external_access = false')
  await connection.run('SET enable_logging = false')
}

/**
 * Locks DuckDB's configuration once set-up (seed SQL, user functions) is done: from now on no
 * statement can change a setting (`SET`, `RESET`, `PRAGMA`), so the access rules above hold.
 */
export async function lockConfiguration(connection: DuckDBConnection): Promise<void> {
  await connection.run('SET lock_configuration = true')
}
