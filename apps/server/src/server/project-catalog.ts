import { join } from 'node:path'
import type { ResolvedConfig } from '@mxcp/auth-core'
import type { UserPool } from '@mxcp/duckdb-user-fns'
import type { FastifyBaseLogger } from 'fastify'
import { type Database, openDatabase } from '../duckdb/open-database.js'
import { DEFAULT_RESULT_LIMITS } from '../duckdb/run-checked-query.js'
import { oauthSecretFiles } from '../duckdb/secret-files.js'
import { buildCatalog } from '../mcp/build-catalog.js'
import type { Catalog } from '../mcp/served-items.js'
import type { CheckedServeConfig } from './check-serve-config.js'
import type { ServeOverrides } from './serve-options.js'

/** Seconds one query may run when `duckdb.query_timeout` is not set. */
export const DEFAULT_QUERY_TIMEOUT_S = 30

/** The seed SQL a project may hold: run at start-up, so it must be safe to run again. */
export const SEED_FILE = 'seed.sql'

/** What every transport serves: the catalog, and the database it runs on. */
export interface ProjectCatalog {
  readonly catalog: Catalog
  readonly database: Database
}

/**
 * Opens the profile's DuckDB (locked down as the profile says; read-only when `--readonly`,
 * `MXCP_READONLY` or the profile asks) and compiles the catalog every transport serves (HTTP,
 * SSE and stdio alike), from definitions `checkServeConfig()` has already loaded.
 */
export async function openProjectCatalog(
  config: ResolvedConfig,
  overrides: ServeOverrides,
  checked: Pick<CheckedServeConfig, 'definitions' | 'sqlTools'>,
  logger: FastifyBaseLogger,
  observePool: (pool: UserPool) => UserPool = (pool) => pool,
): Promise<ProjectCatalog> {
  const duckdb = config.site.profiles[config.profileName]?.duckdb
  const database = await openDatabase({
    path: config.duckdbPath,
    readonly: overrides.readonly ?? config.duckdbReadonly,
    projectDir: config.projectDir,
    dataDir: config.site.paths.data,
    extensions: config.site.extensions,
    allowedPaths: duckdb?.allowed_paths,
    secretFiles: oauthSecretFiles(config),
    seedFile: join(config.projectDir, config.site.paths.data, SEED_FILE),
    queryTimeoutMs: Math.round((duckdb?.query_timeout ?? DEFAULT_QUERY_TIMEOUT_S) * 1000),
    maxConnectionsPerUser: duckdb?.max_connections_per_user,
    onDiscard: (problems) =>
      logger.warn({ problems }, 'a DuckDB connection was left unclean by a request; replaced it'),
  })
  const catalog = buildCatalog({
    definitions: checked.definitions,
    // The metrics time the wait for a connection (`mxcp_duckdb_pool_wait_seconds`).
    pool: observePool(database.pool),
    sqlTools: checked.sqlTools && {
      refusedFunctions: database.refusedFunctions,
      limits: {
        maxRows: config.site.sql_tools.max_rows ?? DEFAULT_RESULT_LIMITS.maxRows,
        maxBytes: config.site.sql_tools.max_bytes ?? DEFAULT_RESULT_LIMITS.maxBytes,
      },
    },
  })
  return { catalog, database }
}
