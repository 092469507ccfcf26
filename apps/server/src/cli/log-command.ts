import type { AuditRecord } from '../audit/audit-record.js'
import { readAuditLog } from '../audit/read-audit-log.js'
import { loadServerConfig } from '../auth/server-providers.js'
import { auditPath } from '../observability/observability-setup.js'
import { describeFailure } from './describe-failure.js'
import type { OperatorCommand } from './operator-arguments.js'
import { type CommandIo, processIo } from './output.js'
import { formatTable } from './table.js'

type LogCommand = Extract<OperatorCommand, { name: 'log' }>

function table(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'No matching audit lines.'
  return formatTable(
    ['TIME', 'EVENT', 'STATUS', 'USER', 'CLIENT', 'NAME', 'MS', 'DETAIL'],
    records.map((record) => [
      record.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      record.event,
      record.status,
      record.username ?? record.user_id ?? '-',
      record.client_id ?? '-',
      record.name ?? '-',
      record.duration_ms === undefined ? '-' : String(record.duration_ms),
      [record['step'], record.reason]
        .filter((part) => part !== undefined)
        .join(': ')
        .slice(0, 80) || '-',
    ]),
  )
}

/**
 * `mxcp log`: the profile's audit file (`audit.path`), filtered by `--since`, `--user`, `--tool`,
 * `--event`, `--status` and `--limit`, as a table or as JSON lines (`--json`).
 */
export async function logCommand(command: LogCommand, io: CommandIo = processIo): Promise<number> {
  try {
    const config = await loadServerConfig({
      projectDir: command.project.projectDir,
      profile: command.project.profile,
      env: io.env,
    })
    const path = auditPath(config)
    if (path === undefined) {
      io.err(
        `Auditing is off for profile ${config.profileName}: set profiles.${config.profileName}.audit.enabled: true in mxcp-site.yml.`,
      )
      return 1
    }
    const records = await readAuditLog(path, command.filters)
    if (command.json) {
      if (records.length > 0) io.out(records.map((record) => JSON.stringify(record)).join('\n'))
    } else io.out(table(records))
    return 0
  } catch (error) {
    io.err(describeFailure(error))
    return 1
  }
}
