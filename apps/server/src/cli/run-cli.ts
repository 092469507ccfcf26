import { SERVER_VERSION } from '../version.js'
import { HELP_TEXT } from './help-text.js'
import { processIo } from './output.js'
import { parseArguments, UsageError } from './parse-arguments.js'

/** Exit code of a command line mistake. */
export const USAGE_EXIT_CODE = 2

/**
 * Runs `mxcp …` and resolves with the exit code (`serve` resolves only if start-up fails).
 * Each command's modules are imported only when it runs: `--help` and `config validate` do not
 * load DuckDB, Fastify or the MCP transport.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  let command: ReturnType<typeof parseArguments>
  try {
    command = parseArguments(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    processIo.err(`${error.message}\n\nRun mxcp --help for usage.`)
    return USAGE_EXIT_CODE
  }
  if (command.name === 'help') {
    processIo.out(HELP_TEXT)
    return 0
  }
  if (command.name === 'version') {
    processIo.out(`mxcp ${SERVER_VERSION}`)
    return 0
  }
  if (command.name === 'config-validate') {
    const { configValidateCommand } = await import('./config-validate-command.js')
    return configValidateCommand(command.project)
  }
  const { serveCommand } = await import('./serve-command.js')
  return serveCommand(command)
}
