import type { ClientRecord, Revocation, SessionSummary, StoreAdmin } from '@mxcp/auth-core/store-kit'
import * as kit from '@mxcp/auth-core/store-kit'
import { and, eq, gt, inArray } from 'drizzle-orm'
import type { StoreDatabase } from './database/open-database.js'
import { clients, codes, sessions, tokens } from './database/schema.js'
import { toStoreError } from './database/sqlite-errors.js'

type Transaction = Parameters<Parameters<StoreDatabase['transaction']>[0]>[0]

/**
 * `StoreAdmin` on the SQLite file: what `mxcp auth clients|sessions|revoke` run, from another
 * process while the server runs. Each revocation is one `BEGIN IMMEDIATE` transaction, so it
 * lands whole between two requests of any process sharing the file; the guard reads the token
 * row on every request and sees it at once. The rules are the store-kit's (`admin-rules.ts`);
 * what is here is the SQL.
 */
export class SqliteStoreAdmin implements StoreAdmin {
  readonly #db: StoreDatabase
  readonly #path: string

  constructor(db: StoreDatabase, path: string) {
    this.#db = db
    this.#path = path
  }

  async listClients(): Promise<ClientRecord[]> {
    return this.#use((db) => db.select().from(clients).orderBy(clients.issuedAt).all().map(kit.rowToClient))
  }

  async removeClient(clientId: string): Promise<Revocation & { removed: boolean }> {
    return this.#write((tx) => ({
      ...revokeClientIn(tx, clientId),
      removed: tx.delete(clients).where(eq(clients.clientId, clientId)).run().changes > 0,
    }))
  }

  async listSessions(now: number, user?: string): Promise<SessionSummary[]> {
    return this.#use((db) => {
      const listed = kit.sessionsNamed(
        db
          .select(kit.columnsOf(sessions, kit.LISTED_SESSION_COLUMNS))
          .from(sessions)
          .where(gt(sessions.expiresAt, now))
          .orderBy(sessions.createdAt)
          .all(),
        user,
      )
      if (listed.length === 0) return []
      const ids = listed.map((row) => row.sessionId)
      const owned = db
        .select(kit.columnsOf(tokens, kit.LIVE_TOKEN_COLUMNS))
        .from(tokens)
        .where(and(inArray(tokens.sessionId, ids), eq(tokens.revoked, false), gt(tokens.expiresAt, now)))
        .all()
      return kit.summarizeSessions(listed, owned, now)
    })
  }

  async revokeSession(sessionId: string): Promise<Revocation> {
    return this.#write((tx) => endSessions(tx, [sessionId]))
  }

  async revokeUser(user: string): Promise<Revocation> {
    return this.#write((tx) => {
      const all = tx
        .select({ sessionId: sessions.sessionId, userJson: sessions.userJson })
        .from(sessions)
        .all()
      return endSessions(
        tx,
        kit.sessionsNamed(all, user).map((row) => row.sessionId),
      )
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

/** Deletes the sessions and revokes every live token of them. */
function endSessions(tx: Transaction, ids: readonly string[]): Revocation {
  if (ids.length === 0) return { sessions: 0, tokens: 0 }
  const ended = tx
    .delete(sessions)
    .where(inArray(sessions.sessionId, [...ids]))
    .run()
  const revoked = tx
    .update(tokens)
    .set({ revoked: true })
    .where(and(inArray(tokens.sessionId, [...ids]), eq(tokens.revoked, false)))
    .run()
  return { sessions: ended.changes, tokens: revoked.changes }
}

/** Ends the sessions of the client's tokens and unredeemed codes, then revokes its other tokens. */
function revokeClientIn(tx: Transaction, clientId: string): Revocation {
  const fromTokens = tx.select({ id: tokens.sessionId }).from(tokens).where(eq(tokens.clientId, clientId))
  const fromCodes = tx.select({ id: codes.sessionId }).from(codes).where(eq(codes.clientId, clientId))
  const ended = endSessions(
    tx,
    fromTokens
      .union(fromCodes)
      .all()
      .map((row) => row.id),
  )
  const revoked = tx
    .update(tokens)
    .set({ revoked: true })
    .where(and(eq(tokens.clientId, clientId), eq(tokens.revoked, false)))
    .run()
  return kit.clientRevocation(ended, revoked.changes)
}
