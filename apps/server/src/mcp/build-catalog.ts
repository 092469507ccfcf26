import type { UserPool } from '@mxcp/duckdb-user-fns'
import { ArgumentValidator } from '../arguments/validate-arguments.js'
import type { ProjectDefinitions } from '../definitions/definition-types.js'
import { type BuiltinSqlToolsOptions, builtinSqlTools } from './builtin-sql-tools.js'
import { runDefinition } from './run-definition.js'
import { servePrompt } from './serve-prompt.js'
import { serveResource } from './serve-resource.js'
import { serveTool, toolListing } from './serve-tool.js'
import type { Catalog, ServedTool } from './served-items.js'

/** Options of {@link buildCatalog}. */
export interface CatalogOptions {
  readonly definitions: ProjectDefinitions
  readonly pool: UserPool
  /** Serve `execute_sql_query`, `list_tables` and `get_table_schema`, with these options. */
  readonly sqlTools: BuiltinSqlToolsOptions | false
}

/** Compiles the project's definitions (validators included) once, for every request to share. */
export function buildCatalog(options: CatalogOptions): Catalog {
  const { definitions, pool } = options
  const tools: ServedTool[] = definitions.tools.map((definition) => {
    const runnable = { ...definition, validator: new ArgumentValidator(definition.parameters) }
    return serveTool(
      toolListing(definition.name, definition.description, definition.parameters, definition.annotations),
      (args, context) => runDefinition(pool, runnable, args, context),
    )
  })
  if (options.sqlTools !== false) tools.push(...builtinSqlTools(pool, options.sqlTools))
  return {
    tools: new Map(tools.map((tool) => [tool.listing.name, tool])),
    resources: definitions.resources.map((definition) => serveResource(pool, definition)),
    prompts: new Map(definitions.prompts.map((definition) => [definition.name, servePrompt(definition)])),
  }
}
