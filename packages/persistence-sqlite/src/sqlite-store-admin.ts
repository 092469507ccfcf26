import {
  type ClientRecord,
  isLiveToken,
  isUpstreamUser,
  matchesUser,
  parseStoredJson,
  type Revocation,
  rowToClient,
  type SessionSummary,
  type StoreAdmin,
} from '@mxcp/auth-core/store-kit'
import { and, eq, gt, inArray } from 'drizzle-orm'
import type { StoreDatabase } from './database/open-database.js'
import { clients, codes, sessions, tokens } from './database/schema.js'
import { toStoreError } from './database/sqlite-errors.js'

type Transaction = Parameters<Parameters<StoreDatabase['transaction']>[0]>[0]

/**
 * `StoreAdmin` on the SQLite file: what `mxcp auth clients|sessions|revoke` run, from another
 * process while the server runs. Each revocation is one `BEGIN IMMEDIATE` transaction, so it
 * lands whole between two requests of any process sharing the file; the guard reads the token
 * row on every request and sees it at once.
 */
export class SqliteStoreAdmin implements StoreAdmin {
  readonly #db: StoreDatabase
  readonly #path: string

  constructor(db: StoreDatabase, path: string) {
    this.#db = db
    this.#path = path
  }

  async listClients(): Promise<ClientRecord[]> {
    return this.#use((db) => db.select().from(clients).orderBy(clients.issuedAt).all().map(rowToClient))
  }

  async removeClient(clientId: string): Promise<Revocation & { removed: boolean }> {
    return this.#write((tx) => {
      const revocation = revokeClientIn(tx, clientId)
      const removed = tx.delete(clients).where(eq(clients.clientId, clientId)).run().changes > 0
      return { ...revocation, removed }
    })
  }

  async listSessions(now: number, user?: string): Promise<SessionSummary[]> {
    return this.#use((db) => {
      const rows = db
        .select({
          sessionId: sessions.sessionId,
          provider: sessions.provider,
          userJson: sessions.userJson,
          createdAt: sessions.createdAt,
          expiresAt: sessions.expiresAt,
        })
        .from(sessions)
        .where(gt(sessions.expiresAt, now))
        .orderBy(sessions.createdAt)
        .all()
        .map((row) => ({ ...row, user: userOf(row.userJson) }))
        .filter((row) => user === undefined || matchesUser(row.user, user))
      if (rows.length === 0) return []
      const live = db
        .select({
          sessionId: tokens.sessionId,
          clientId: tokens.clientId,
          kind: tokens.kind,
          revoked: tokens.revoked,
          consumed: tokens.consumed,
          expiresAt: tokens.expiresAt,
        })
        .from(tokens)
        .where(
          and(
            inArray(
              tokens.sessionId,
              rows.map((row) => row.sessionId),
            ),
            eq(tokens.revoked, false),
            gt(tokens.expiresAt, now),
          ),
        )
        .all()
        .filter((token) => isLiveToken(token, now))
      return rows.map((row) => {
        const own = live.filter((token) => token.sessionId === row.sessionId)
        return {
          sessionId: row.sessionId,
          provider: row.provider,
          userId: row.user.userId,
          username: row.user.username,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
          clientIds: [...new Set(own.map((token) => token.clientId))].sort(),
          liveTokens: own.length,
        }
      })
    })
  }

  async revokeSession(sessionId: string): Promise<Revocation> {
    return this.#write((tx) => endSessions(tx, [sessionId]))
  }

  async revokeUser(user: string): Promise<Revocation> {
    return this.#write((tx) => {
      const ids = tx
        .select({ sessionId: sessions.sessionId, userJson: sessions.userJson })
        .from(sessions)
        .all()
        .filter((row) => matchesUser(userOf(row.userJson), user))
        .map((row) => row.sessionId)
      return endSessions(tx, ids)
    })
  }

  async revokeClient(clientId: string): Promise<Revocation> {
    return this.#write((tx) => revokeClientIn(tx, clientId))
  }

  #use<T>(work: (db: StoreDatabase) => T): T {
    try {
      return work(this.#db)
    } catch (error) {
      throw toStoreError(error, this.#path)
    }
  }

  /** One `BEGIN IMMEDIATE` transaction: the write lock first, then the reads it decides on. */
  #write<T>(work: (tx: Transaction) => T): T {
    return this.#use((db) => db.transaction(work, { behavior: 'immediate' }))
  }
}

/** A session's user, read back through the shared codec's checks. */
function userOf(json: string) {
  return parseStoredJson(json, isUpstreamUser, 'sessions.user')
}

/** Deletes the sessions and revokes every live token of them. */
function endSessions(tx: Transaction, ids: readonly string[]): Revocation {
  if (ids.length === 0) return { sessions: 0, tokens: 0 }
  const ended = tx
    .delete(sessions)
    .where(inArray(sessions.sessionId, [...ids]))
    .run().changes
  const revoked = tx
    .update(tokens)
    .set({ revoked: true })
    .where(and(inArray(tokens.sessionId, [...ids]), eq(tokens.revoked, false)))
    .run().changes
  return { sessions: ended, tokens: revoked }
}

/** The client's tokens revoked, and the sessions of its tokens and codes ended. */
function revokeClientIn(tx: Transaction, clientId: string): Revocation {
  const ids = new Set([
    ...tx
      .selectDistinct({ sessionId: tokens.sessionId })
      .from(tokens)
      .where(eq(tokens.clientId, clientId))
      .all()
      .map((row) => row.sessionId),
    ...tx
      .selectDistinct({ sessionId: codes.sessionId })
      .from(codes)
      .where(eq(codes.clientId, clientId))
      .all()
      .map((row) => row.sessionId),
  ])
  const ended = endSessions(tx, [...ids])
  const revoked = tx
    .update(tokens)
    .set({ revoked: true })
    .where(and(eq(tokens.clientId, clientId), eq(tokens.revoked, false)))
    .run().changes
  return { sessions: ended.sessions, tokens: ended.tokens + revoked }
}
