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
  if ((argv[0] === 'log' || argv[0] === 'auth') && !argv.includes('--help') && !argv.includes('-h')) {
    return runOperatorCommand(argv)
  }
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

/** `mxcp log` and `mxcp auth …`: the operator's commands (see `parseOperatorArguments`). */
async function runOperatorCommand(argv: readonly string[]): Promise<number> {
  const { parseOperatorArguments } = await import('./operator-arguments.js')
  let command: ReturnType<typeof parseOperatorArguments>
  try {
    command = parseOperatorArguments(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    processIo.err(`${error.message}\n\nRun mxcp --help for usage.`)
    return USAGE_EXIT_CODE
  }
  if (command.name === 'log') {
    const { logCommand } = await import('./log-command.js')
    return logCommand(command)
  }
  const { authCommand } = await import('./auth-command.js')
  return authCommand(command)
}
