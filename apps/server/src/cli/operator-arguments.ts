import { parseArgs } from 'node:util'
import type { ProjectSelection } from './parse-arguments.js'
import { UsageError } from './parse-arguments.js'

/** Filters of `mxcp log`. */
export interface LogFilters {
  /** Only lines at or after this time (epoch ms). */
  readonly since?: number | undefined
  readonly user?: string | undefined
  readonly tool?: string | undefined
  readonly event?: string | undefined
  readonly status?: string | undefined
  /** At most this many lines, the latest ones. */
  readonly limit?: number | undefined
}

/** The operator commands: `mxcp log` and `mxcp auth …`. */
export type OperatorCommand =
  | {
      readonly name: 'log'
      readonly project: ProjectSelection
      readonly json: boolean
      readonly filters: LogFilters
    }
  | {
      readonly name: 'auth-clients'
      readonly project: ProjectSelection
      readonly json: boolean
      readonly action: 'list' | 'show' | 'remove'
      readonly clientId?: string | undefined
    }
  | {
      readonly name: 'auth-sessions'
      readonly project: ProjectSelection
      readonly json: boolean
      readonly user?: string | undefined
    }
  | {
      readonly name: 'auth-revoke'
      readonly project: ProjectSelection
      readonly json: boolean
      readonly target: { readonly user: string } | { readonly client: string } | { readonly session: string }
    }
  | { readonly name: 'auth-reset'; readonly project: ProjectSelection; readonly yes: boolean }

const OPTIONS = {
  project: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  user: { type: 'string' },
  client: { type: 'string' },
  session: { type: 'string' },
  since: { type: 'string' },
  tool: { type: 'string' },
  event: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  yes: { type: 'boolean' },
} as const

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `--since`: a duration back from now (`30s`, `10m`, `2h`, `7d`) or an ISO 8601 time. */
export function parseSince(text: string, now: number): number {
  const duration = /^(\d+)([smhd])$/.exec(text)
  if (duration) return now - Number(duration[1]) * (UNITS[duration[2] as string] as number)
  const time = Date.parse(text)
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && Number.isFinite(time)) return time
  throw new UsageError(`--since: "${text}" is neither a duration (10m, 2h, 7d) nor an ISO 8601 time`)
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^[1-9]\d{0,6}$/.test(text)) throw new UsageError(`--limit: "${text}" is not a positive number`)
  return Number(text)
}

function refuse(values: Record<string, unknown>, allowed: readonly string[], command: string): void {
  const extra = Object.keys(values).find(
    (key) => values[key] !== undefined && !['project', 'profile', ...allowed].includes(key),
  )
  if (extra) throw new UsageError(`--${extra} is not an option of mxcp ${command}`)
}

/** Reads `mxcp log …` and `mxcp auth …` (without `node` and the script). Throws `UsageError`. */
export function parseOperatorArguments(argv: readonly string[], now = Date.now()): OperatorCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  const project = { projectDir: values.project, profile: values.profile }
  const json = values.json ?? false
  const [first, second, third, ...rest] = positionals
  if (first === 'log' && second === undefined) {
    refuse(values, ['json', 'since', 'user', 'tool', 'event', 'status', 'limit'], 'log')
    return {
      name: 'log',
      project,
      json,
      filters: {
        since: values.since === undefined ? undefined : parseSince(values.since, now),
        user: values.user,
        tool: values.tool,
        event: values.event,
        status: values.status,
        limit: parseLimit(values.limit),
      },
    }
  }
  if (first !== 'auth') throw new UsageError(`Unknown command "${positionals.join(' ')}"`)
  if (second === 'clients') {
    refuse(values, ['json'], 'auth clients')
    if (third === undefined) return { name: 'auth-clients', project, json, action: 'list' }
    if ((third === 'show' || third === 'remove') && rest.length === 1)
      return { name: 'auth-clients', project, json, action: third, clientId: rest[0] }
    throw new UsageError('Usage: mxcp auth clients [show CLIENT_ID | remove CLIENT_ID]')
  }
  if (second === 'sessions' && third === undefined) {
    refuse(values, ['json', 'user'], 'auth sessions')
    return { name: 'auth-sessions', project, json, user: values.user }
  }
  if (second === 'revoke' && third === undefined) {
    refuse(values, ['json', 'user', 'client', 'session'], 'auth revoke')
    const given = (['user', 'client', 'session'] as const).filter((key) => values[key] !== undefined)
    if (given.length !== 1)
      throw new UsageError('mxcp auth revoke takes exactly one of --user, --client, --session')
    const key = given[0] as 'user' | 'client' | 'session'
    const value = values[key] as string
    if (value === '') throw new UsageError(`--${key} is empty`)
    const target =
      key === 'user' ? { user: value } : key === 'client' ? { client: value } : { session: value }
    return { name: 'auth-revoke', project, json, target }
  }
  if (second === 'reset' && third === undefined) {
    refuse(values, ['yes'], 'auth reset')
    return { name: 'auth-reset', project, yes: values.yes ?? false }
  }
  throw new UsageError(`Unknown command "${positionals.join(' ')}"`)
}
