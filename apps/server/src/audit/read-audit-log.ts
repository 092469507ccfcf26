import { createReadStream, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { matchesUser } from '@mxcp/auth-core/server-kit'
import type { AuditRecord } from './audit-record.js'

/** What `mxcp log` keeps. */
export interface AuditQuery {
  /** Epoch ms: lines at or after it. */
  readonly since?: number | undefined
  /** User id, or username ASCII-case-insensitively. */
  readonly user?: string | undefined
  /** The tool (or resource URI, or prompt) name. */
  readonly tool?: string | undefined
  readonly event?: string | undefined
  readonly status?: string | undefined
  /** The latest `limit` matching lines. */
  readonly limit?: number | undefined
}

function isRecord(value: unknown): value is AuditRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AuditRecord).timestamp === 'string' &&
    typeof (value as AuditRecord).event === 'string'
  )
}

/** Whether `record` passes every filter of `query`. */
export function matchesQuery(record: AuditRecord, query: AuditQuery): boolean {
  if (query.since !== undefined && !(Date.parse(record.timestamp) >= query.since)) return false
  if (query.event !== undefined && record.event !== query.event) return false
  if (query.status !== undefined && record.status !== query.status) return false
  if (query.tool !== undefined && record.name !== query.tool) return false
  if (query.user !== undefined) {
    const user = { userId: record.user_id ?? '', username: record.username ?? '' }
    if (record.user_id === undefined && record.username === undefined) return false
    if (!matchesUser(user, query.user)) return false
  }
  return true
}

/**
 * The audit file's lines that match `query`, oldest first, read as a stream (a large file is
 * never held whole; only the last `limit` matches are). A line that is not a JSON record (a
 * partial last line after a crash) is skipped. An absent file has no lines.
 */
export async function readAuditLog(path: string, query: AuditQuery): Promise<AuditRecord[]> {
  if (!existsSync(path)) return []
  const kept: AuditRecord[] = []
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  })
  for await (const line of lines) {
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      continue
    }
    if (!isRecord(value) || !matchesQuery(value, query)) continue
    kept.push(value)
    if (query.limit !== undefined && kept.length > query.limit) kept.shift()
  }
  return kept
}
