import type { AuthEvent } from '@mxcp/auth-core'

/** Authorization server events that are audit lines (a housekeeping `sweep` is a metric only). */
export type AuditedAuthEvent = Exclude<AuthEvent, { type: 'sweep' }>

/** The kinds of line in the audit file (`mxcp log --event`). */
export type AuditEventName = AuditedAuthEvent['type'] | 'tool' | 'resource' | 'prompt'

/**
 * One line of the audit file (JSON Lines, like MXCP's `audit/logs.jsonl`). Never a token, code,
 * secret or upstream answer: who, what, when, how long and how it ended.
 */
export interface AuditRecord {
  /** ISO 8601, UTC. */
  readonly timestamp: string
  readonly event: AuditEventName
  /** `success` or `error` for calls; `success`, `refused` or `failed` for sign-ins; `success` otherwise. */
  readonly status: string
  readonly request_id?: string | undefined
  readonly user_id?: string | undefined
  readonly username?: string | undefined
  readonly provider?: string | undefined
  readonly client_id?: string | undefined
  /** The tool or prompt name, or the resource URI. */
  readonly name?: string | undefined
  readonly duration_ms?: number | undefined
  /** Why it was refused or failed (our words, or the tool's error message). */
  readonly reason?: string | undefined
  /** The call's arguments, only with `audit.include_arguments`, secret-looking values replaced. */
  readonly arguments?: unknown
  /** Event-specific facts (`step`, `what`, `revoked_tokens`, `scopes`, `kind`, `client_name`). */
  readonly [extra: string]: unknown
}

/** The audit line of an authorization server event. */
export function recordOfAuthEvent(event: AuditedAuthEvent, now: Date): AuditRecord {
  const base = { timestamp: now.toISOString(), event: event.type, request_id: event.requestId }
  switch (event.type) {
    case 'sign_in':
      return {
        ...base,
        status: event.status,
        provider: event.provider,
        client_id: event.clientId,
        user_id: event.userId,
        username: event.username,
        step: event.step,
        reason: event.reason,
      }
    case 'token_issued':
    case 'token_refreshed':
      return { ...base, status: 'success', client_id: event.clientId, scopes: event.scopes }
    case 'token_revoked':
      return { ...base, status: 'success', client_id: event.clientId, kind: event.kind }
    case 'replay_detected':
      return {
        ...base,
        status: 'refused',
        client_id: event.clientId,
        what: event.what,
        revoked_tokens: event.revokedTokens,
        reason: 'family revoked',
      }
    case 'client_registered':
      return { ...base, status: 'success', client_id: event.clientId, client_name: event.clientName }
    case 'client_expired':
      return { ...base, request_id: undefined, status: 'success', client_id: event.clientId }
  }
}

/** Keys whose values never reach the audit file, at any depth of the arguments. */
const SECRET_KEY = /secret|token|password|passwd|api[-_]?key|authorization|cookie|credential|private/i

/** The arguments as recorded with `include_arguments`: secret-looking keys' values replaced. */
export function loggableArguments(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]'
  if (Array.isArray(value)) return value.map((item) => loggableArguments(item, depth + 1))
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? '[redacted]' : loggableArguments(item, depth + 1),
    ]),
  )
}
