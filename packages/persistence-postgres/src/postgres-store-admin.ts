import type { ClientRecord, Revocation, SessionSummary, StoreAdmin } from '@mxcp/auth-core/store-kit'
import * as kit from '@mxcp/auth-core/store-kit'
import { and, eq, gt, inArray } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import type { ResolvedOptions } from './options.js'
import type { Tables } from './schema/define-tables.js'
import { toStoreError } from './store-errors.js'
import { runInTransaction } from './transaction.js'

/**
 * `StoreAdmin` on PostgreSQL: what `mxcp auth clients|sessions|revoke` run against the database
 * every replica shares. Each revocation is one transaction; nothing is cached by the store, and
 * the guard looks every access token up on every request, so every replica refuses a revoked
 * token on its next request. The rules are the store-kit's (`admin-rules.ts`); what is here is
 * the SQL.
 */
export class PostgresStoreAdmin implements StoreAdmin {
  readonly #pool: pg.Pool
  readonly #db: NodePgDatabase
  readonly #tables: Tables
  readonly #options: ResolvedOptions

  constructor(pool: pg.Pool, tables: Tables, options: ResolvedOptions) {
    this.#pool = pool
    this.#db = drizzle(pool)
    this.#tables = tables
    this.#options = options
  }

  async listClients(): Promise<ClientRecord[]> {
    const { clients } = this.#tables
    const rows = await this.#run('listClients', () =>
      this.#db.select().from(clients).orderBy(clients.issuedAt),
    )
    return rows.map(kit.rowToClient)
  }

  async removeClient(clientId: string): Promise<Revocation & { removed: boolean }> {
    const { clients } = this.#tables
    return this.#transaction('removeClient', async (tx) => {
      const revocation = await this.#revokeClientIn(tx, clientId)
      const removed = await tx
        .delete(clients)
        .where(eq(clients.clientId, clientId))
        .returning({ id: clients.clientId })
      return { ...revocation, removed: removed.length > 0 }
    })
  }

  async listSessions(now: number, user?: string): Promise<SessionSummary[]> {
    return this.#run('listSessions', async () => {
      const { sessions, tokens } = this.#tables
      const listed = kit.sessionsNamed(
        await this.#db
          .select(kit.columnsOf(sessions, kit.LISTED_SESSION_COLUMNS))
          .from(sessions)
          .where(gt(sessions.expiresAt, now))
          .orderBy(sessions.createdAt),
        user,
      )
      if (listed.length === 0) return []
      const ids = listed.map((row) => row.sessionId)
      const owned = await this.#db
        .select(kit.columnsOf(tokens, kit.LIVE_TOKEN_COLUMNS))
        .from(tokens)
        .where(and(inArray(tokens.sessionId, ids), eq(tokens.revoked, false), gt(tokens.expiresAt, now)))
      return kit.summarizeSessions(listed, owned, now)
    })
  }

  async revokeSession(sessionId: string): Promise<Revocation> {
    return this.#transaction('revokeSession', (tx) => this.#endSessions(tx, [sessionId]))
  }

  async revokeUser(user: string): Promise<Revocation> {
    const { sessions } = this.#tables
    return this.#transaction('revokeUser', async (tx) => {
      // FOR UPDATE: a session saved or refreshed meanwhile waits for this transaction.
      const all = await tx
        .select({ sessionId: sessions.sessionId, userJson: sessions.userJson })
        .from(sessions)
        .for('update')
      return this.#endSessions(
        tx,
        kit.sessionsNamed(all, user).map((row) => row.sessionId),
      )
    })
  }

  async revokeClient(clientId: string): Promise<Revocation> {
    return this.#transaction('revokeClient', (tx) => this.#revokeClientIn(tx, clientId))
  }

  /** Revokes every live token of the sessions and deletes them. */
  async #endSessions(tx: NodePgDatabase, ids: readonly string[]): Promise<Revocation> {
    if (ids.length === 0) return { sessions: 0, tokens: 0 }
    const { sessions, tokens } = this.#tables
    const revoked = await tx
      .update(tokens)
      .set({ revoked: true })
      .where(and(inArray(tokens.sessionId, [...ids]), eq(tokens.revoked, false)))
    const ended = await tx.delete(sessions).where(inArray(sessions.sessionId, [...ids]))
    return { sessions: ended.rowCount ?? 0, tokens: revoked.rowCount ?? 0 }
  }

  /** Ends the sessions of the client's tokens and unredeemed codes, then revokes its other tokens. */
  async #revokeClientIn(tx: NodePgDatabase, clientId: string): Promise<Revocation> {
    const { tokens, codes } = this.#tables
    const fromTokens = tx.select({ id: tokens.sessionId }).from(tokens).where(eq(tokens.clientId, clientId))
    const fromCodes = tx.select({ id: codes.sessionId }).from(codes).where(eq(codes.clientId, clientId))
    const ended = await this.#endSessions(
      tx,
      (await fromTokens.union(fromCodes)).map((row) => row.id),
    )
    const revoked = await tx
      .update(tokens)
      .set({ revoked: true })
      .where(and(eq(tokens.clientId, clientId), eq(tokens.revoked, false)))
    return kit.clientRevocation(ended, revoked.rowCount ?? 0)
  }

  async #run<T>(operation: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      throw toStoreError(error, operation, this.#options.target)
    }
  }

  async #transaction<T>(operation: string, body: (tx: NodePgDatabase) => Promise<T>): Promise<T> {
    return this.#run(operation, () => runInTransaction(this.#pool, (client) => body(drizzle(client))))
  }
}
