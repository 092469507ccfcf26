import type { ResolvedConfig } from '@mxcp/auth-core'
import { stringify } from 'yaml'
import { loadServerConfig } from '../auth/server-providers.js'
import { maskSecrets } from '../config/mask-secrets.js'
import type { ProjectDefinitions } from '../definitions/definition-types.js'
import { checkServeConfig } from '../server/check-serve-config.js'
import { describeFailure } from './describe-failure.js'
import { type CommandIo, processIo } from './output.js'
import type { ProjectSelection } from './parse-arguments.js'

function summary(config: ResolvedConfig, definitions: ProjectDefinitions): Record<string, unknown> {
  return {
    project: config.projectName,
    profile: config.profileName,
    site_config: config.sitePath,
    user_config: config.userConfigPath ?? '(none: authentication is off)',
    duckdb: { path: config.duckdbPath, readonly: config.duckdbReadonly },
    sql_tools: config.site.sql_tools,
    definitions: {
      tools: definitions.tools.map((t) => t.name),
      resources: definitions.resources.map((r) => r.uri),
      prompts: definitions.prompts.map((p) => p.name),
    },
    auth: config.auth,
    transport: config.transport,
  }
}

/**
 * `mxcp config validate`: loads the site config and the user config and runs every check
 * `mxcp serve` runs (`checkServeConfig`: transport, base URL, proxies, provider, definitions), and prints the result with every secret masked. On any
 * problem, prints them all to standard error and returns 1.
 */
export async function configValidateCommand(
  project: ProjectSelection,
  io: CommandIo = processIo,
): Promise<number> {
  try {
    const config = await loadServerConfig({
      projectDir: project.projectDir,
      profile: project.profile,
      env: io.env,
    })
    // Exactly the checks `mxcp serve` runs before it opens anything (one code path).
    const { definitions } = checkServeConfig(config)
    io.out(
      `# The configuration is valid. Secrets are masked.\n${stringify(maskSecrets(summary(config, definitions)))}`,
    )
    return 0
  } catch (error) {
    io.err(describeFailure(error))
    return 1
  }
}
