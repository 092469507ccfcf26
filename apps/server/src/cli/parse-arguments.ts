import { parseArgs } from 'node:util'
import { type ServeOverrides, TRANSPORTS, type TransportName } from '../server/serve-options.js'

/** A command line problem: the message is for the person typing. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Where the configuration comes from. */
export interface ProjectSelection {
  readonly projectDir: string | undefined
  readonly profile: string | undefined
}

/** What the command line asks for. */
export type CliCommand =
  | { readonly name: 'help' }
  | { readonly name: 'version' }
  | {
      readonly name: 'serve'
      readonly project: ProjectSelection
      readonly debug: boolean
      readonly overrides: ServeOverrides
    }
  | { readonly name: 'config-validate'; readonly project: ProjectSelection }

const OPTIONS = {
  project: { type: 'string' },
  profile: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  debug: { type: 'boolean' },
  'sql-tools': { type: 'string' },
  readonly: { type: 'boolean' },
  stateless: { type: 'boolean' },
  // Node 20's parseArgs has no `allowNegative`: the negation is an option of its own.
  'no-stateless': { type: 'boolean' },
  transport: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${text}" is not a port (0-65535)`)
  return port
}

function parseBoolean(option: string, text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined
  if (text === 'true') return true
  if (text === 'false') return false
  throw new UsageError(`--${option}: expected true or false, got "${text}"`)
}

function parseStateless(values: { stateless?: boolean; 'no-stateless'?: boolean }): boolean | undefined {
  if (values.stateless && values['no-stateless'])
    throw new UsageError('--stateless and --no-stateless contradict each other')
  if (values.stateless) return true
  if (values['no-stateless']) return false
  return undefined
}

function parseTransport(text: string | undefined): TransportName | undefined {
  if (text === undefined) return undefined
  const transport = TRANSPORTS.find((name) => name === text)
  if (!transport) throw new UsageError(`--transport: expected ${TRANSPORTS.join(', ')}, got "${text}"`)
  return transport
}

/** Reads `mxcp …` arguments (without `node` and the script). Throws {@link UsageError}. */
export function parseArguments(argv: readonly string[]): CliCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return { name: 'help' }
  if (values.version) return { name: 'version' }
  if (positionals.length === 0) return { name: 'help' }
  const project = { projectDir: values.project, profile: values.profile }
  const command = positionals.join(' ')
  const serveOnly = [
    'port',
    'host',
    'debug',
    'sql-tools',
    'readonly',
    'stateless',
    'no-stateless',
    'transport',
  ] as const
  if (command === 'serve') {
    return {
      name: 'serve',
      project,
      debug: values.debug ?? false,
      overrides: {
        host: values.host,
        port: parsePort(values.port),
        sqlTools: parseBoolean('sql-tools', values['sql-tools']),
        readonly: values.readonly,
        stateless: parseStateless(values),
        // Present only when given, so that the overrides of a plain `serve` stay as they were.
        ...(values.transport !== undefined && { transport: parseTransport(values.transport) }),
      },
    }
  }
  if (command === 'config validate') {
    const misplaced = serveOnly.find((option) => values[option] !== undefined)
    if (misplaced) throw new UsageError(`--${misplaced} is an option of mxcp serve`)
    return { name: 'config-validate', project }
  }
  throw new UsageError(`Unknown command "${command}"`)
}
