import { join } from 'node:path'
import type { ResolvedConfig } from '@mxcp/auth-core'
import { loadDefinitions } from '../definitions/load-definitions.js'
import { type Database, openDatabase } from '../duckdb/open-database.js'
import { buildCatalog } from '../mcp/build-catalog.js'
import { BUILTIN_SQL_TOOL_NAMES } from '../mcp/builtin-sql-tools.js'
import type { Catalog } from '../mcp/served-items.js'
import type { ServeOverrides } from './serve-options.js'

/** The seed SQL a project may hold: run at start-up, so it must be safe to run again. */
export const SEED_FILE = 'seed.sql'

/** What every transport serves: the catalog, and the database it runs on. */
export interface ProjectCatalog {
  readonly catalog: Catalog
  readonly database: Database
}

/**
 * Loads the project's YAML definitions (checked first, so a mistake stops start-up with every
 * problem listed), opens DuckDB (read-only when `--readonly`, `MXCP_READONLY` or the profile
 * says so) and compiles the catalog every transport serves.
 */
export async function openProjectCatalog(
  config: ResolvedConfig,
  overrides: ServeOverrides,
): Promise<ProjectCatalog> {
  const sqlTools = overrides.sqlTools ?? config.site.sql_tools.enabled
  const definitions = loadDefinitions({
    projectDir: config.projectDir,
    paths: config.site.paths,
    reservedToolNames: sqlTools ? BUILTIN_SQL_TOOL_NAMES : [],
  })
  const database = await openDatabase({
    path: config.duckdbPath,
    readonly: overrides.readonly ?? config.duckdbReadonly,
    projectDir: config.projectDir,
    seedFile: join(config.projectDir, config.site.paths.data, SEED_FILE),
  })
  return { catalog: buildCatalog({ definitions, pool: database.pool, sqlTools }), database }
}
