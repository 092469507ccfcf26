import type { SessionRecord } from '../store/records.js'
import { isLiveToken, matchesUser, type Revocation, type SessionSummary } from '../store/store-admin.js'
import { isUpstreamUser, parseStoredJson } from './json-guards.js'
import type { SessionRow, TokenRow } from './stored-rows.js'

/**
 * The rules of `StoreAdmin` (the operator commands) that every store shares: which sessions a user
 * query names, what a session listing says, how a client's revocation adds up. A SQL store reads
 * the rows below, applies these, and writes; its own code is only the SQL.
 */

/** The session columns a listing reads: who and since when, never the sealed upstream tokens. */
export const LISTED_SESSION_COLUMNS = ['sessionId', 'provider', 'userJson', 'createdAt', 'expiresAt'] as const
export type ListedSessionRow = Pick<SessionRow, (typeof LISTED_SESSION_COLUMNS)[number]>

/** The token columns that say whose a token is and whether it is live (`isLiveToken`). */
export const LIVE_TOKEN_COLUMNS = [
  'sessionId',
  'clientId',
  'kind',
  'revoked',
  'consumed',
  'expiresAt',
] as const
export type LiveTokenRow = Pick<TokenRow, (typeof LIVE_TOKEN_COLUMNS)[number]>

/** The named columns of a table (a query builder's table object), as its `select()` takes them. */
export function columnsOf<Table extends object, Name extends keyof Table>(
  table: Table,
  names: readonly Name[],
): Pick<Table, Name> {
  const picked = {} as Pick<Table, Name>
  for (const name of names) picked[name] = table[name]
  return picked
}

/** The user a session row names: the id and username the codec keeps in clear. */
function userOf(row: Pick<SessionRow, 'userJson'>): SessionRecord['user'] {
  return parseStoredJson(row.userJson, isUpstreamUser, 'sessions.user_json')
}

/** The session rows whose user `user` names ({@link matchesUser}); every row when it is undefined. */
export function sessionsNamed<Row extends Pick<SessionRow, 'userJson'>>(
  rows: readonly Row[],
  user: string | undefined,
): Row[] {
  return user === undefined ? [...rows] : rows.filter((row) => matchesUser(userOf(row), user))
}

/** One session as an operator sees it, from the tokens issued under it (only the live ones count). */
export function summarizeSession(
  session: Pick<SessionRecord, 'sessionId' | 'provider' | 'user' | 'createdAt' | 'expiresAt'>,
  tokens: readonly LiveTokenRow[],
  now: number,
): SessionSummary {
  const live = tokens.filter((token) => token.sessionId === session.sessionId && isLiveToken(token, now))
  return {
    sessionId: session.sessionId,
    provider: session.provider,
    userId: session.user.userId,
    username: session.user.username,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    clientIds: [...new Set(live.map((token) => token.clientId))].sort(),
    liveTokens: live.length,
  }
}

/** The listing of session rows (already filtered and ordered), from the tokens of those sessions. */
export function summarizeSessions(
  rows: readonly ListedSessionRow[],
  tokens: readonly LiveTokenRow[],
  now: number,
): SessionSummary[] {
  return rows.map((row) => summarizeSession({ ...row, user: userOf(row) }, tokens, now))
}

/** What revoking a client ended: the sessions it held (with their tokens), then its other tokens. */
export function clientRevocation(ended: Revocation, otherTokens: number): Revocation {
  return { sessions: ended.sessions, tokens: ended.tokens + otherTokens }
}
