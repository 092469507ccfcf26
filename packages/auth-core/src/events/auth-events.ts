/**
 * What the authorization server reports as it works, for an audit trail or metrics. Never a
 * token, a code, a secret or an upstream error body: identifiers, outcomes and reasons only.
 */

/** The step of a sign-in that refused or failed (see `SignInFailure`). */
export type SignInStep =
  | 'authorize'
  | 'consent'
  | 'callback'
  | 'code exchange'
  | 'user info'
  | 'allowlist'
  | 'scope grant'

/** Common to every event: the request it happened in. */
interface EventBase {
  /** The request id (the `reqId` of the log lines, the id a user quotes from an error page). */
  readonly requestId: string
}

/** A sign-in reached its end: the user was signed in, or refused, or the provider failed. */
export interface SignInEvent extends EventBase {
  readonly type: 'sign_in'
  readonly status: 'success' | 'refused' | 'failed'
  readonly provider: string
  readonly clientId?: string | undefined
  readonly userId?: string | undefined
  readonly username?: string | undefined
  readonly step?: SignInStep | undefined
  /** Why it was refused or failed, in words an operator reads (no secret, no upstream body). */
  readonly reason?: string | undefined
}

/** `/token` answered with tokens: a code was exchanged (`token_issued`) or a refresh token rotated. */
export interface TokenEvent extends EventBase {
  readonly type: 'token_issued' | 'token_refreshed'
  readonly clientId: string
  readonly scopes: readonly string[]
}

/** `/revoke` revoked a live token of the calling client. */
export interface TokenRevokedEvent extends EventBase {
  readonly type: 'token_revoked'
  readonly clientId: string
  readonly kind: 'access' | 'refresh'
}

/** A used code or a rotated refresh token came back (RFC 9700 §4.14.2): its family is revoked. */
export interface ReplayEvent extends EventBase {
  readonly type: 'replay_detected'
  readonly what: 'authorization_code' | 'refresh_token'
  readonly clientId: string
  /** How many live tokens of the family the replay revoked. */
  readonly revokedTokens: number
}

/** A client registered itself (RFC 7591). */
export interface ClientRegisteredEvent extends EventBase {
  readonly type: 'client_registered'
  readonly clientId: string
  readonly clientName: string
}

/** A dynamically registered client's registration expired (never signed in, or unused) and was removed. */
export interface ClientExpiredEvent extends EventBase {
  readonly type: 'client_expired'
  readonly clientId: string
}

/** A housekeeping pass removed expired rows (the `requestId` is `sweep`): counts by kind. */
export interface SweepEvent extends EventBase {
  readonly type: 'sweep'
  readonly counts: Readonly<Record<string, number>>
}

export type AuthEvent =
  | SignInEvent
  | TokenEvent
  | TokenRevokedEvent
  | ReplayEvent
  | ClientRegisteredEvent
  | ClientExpiredEvent
  | SweepEvent

/**
 * Receives every `AuthEvent`. Called synchronously on the request's path: a sink must not block
 * (queue the write) and must not throw (a throwing sink is caught and ignored).
 */
export type AuthEventSink = (event: AuthEvent) => void

/** Calls `sink` with `event`, never letting a sink's failure reach the request. */
export function emitEvent(sink: AuthEventSink | undefined, event: AuthEvent): void {
  if (!sink) return
  try {
    sink(event)
  } catch {
    // An audit sink failing is reported by the sink itself; the request goes on.
  }
}
