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
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import type { ResolvedOptions } from './options.js'
import type { Tables } from './schema/define-tables.js'
import { toStoreError } from './store-errors.js'

/**
 * `StoreAdmin` on PostgreSQL: what `mxcp auth clients|sessions|revoke` run against the database
 * every replica shares. Each revocation is one transaction; nothing is cached by the store, and
 * the guard looks every access token up on every request, so every replica refuses a revoked
 * token on its next request.
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
    return rows.map(rowToClient)
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
    const { sessions, tokens } = this.#tables
    const rows = (
      await this.#run('listSessions', () =>
        this.#db
          .select({
            sessionId: sessions.sessionId,
            provider: sessions.provider,
            userJson: sessions.userJson,
            createdAt: sessions.createdAt,
            expiresAt: sessions.expiresAt,
          })
          .from(sessions)
          .where(gt(sessions.expiresAt, now))
          .orderBy(sessions.createdAt),
      )
    )
      .map((row) => ({ ...row, user: parseStoredJson(row.userJson, isUpstreamUser, 'sessions.user_json') }))
      .filter((row) => user === undefined || matchesUser(row.user, user))
    if (rows.length === 0) return []
    const live = (
      await this.#run('listSessions', () =>
        this.#db
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
          ),
      )
    ).filter((token) => isLiveToken(token, now))
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
  }

  async revokeSession(sessionId: string): Promise<Revocation> {
    return this.#transaction('revokeSession', (tx) => this.#endSessions(tx, [sessionId]))
  }

  async revokeUser(user: string): Promise<Revocation> {
    const { sessions } = this.#tables
    return this.#transaction('revokeUser', async (tx) => {
      // FOR UPDATE: a session saved or refreshed meanwhile waits for this transaction.
      const rows = await tx
        .select({ sessionId: sessions.sessionId, userJson: sessions.userJson })
        .from(sessions)
        .for('update')
      const ids = rows
        .filter((row) =>
          matchesUser(parseStoredJson(row.userJson, isUpstreamUser, 'sessions.user_json'), user),
        )
        .map((row) => row.sessionId)
      return this.#endSessions(tx, ids)
    })
  }

  async revokeClient(clientId: string): Promise<Revocation> {
    return this.#transaction('revokeClient', (tx) => this.#revokeClientIn(tx, clientId))
  }

  async #endSessions(tx: NodePgDatabase, ids: readonly string[]): Promise<Revocation> {
    if (ids.length === 0) return { sessions: 0, tokens: 0 }
    const { sessions, tokens } = this.#tables
    const revoked = await tx
      .update(tokens)
      .set({ revoked: true })
      .where(and(inArray(tokens.sessionId, [...ids]), eq(tokens.revoked, false)))
      .returning({ hash: tokens.tokenHash })
    const ended = await tx
      .delete(sessions)
      .where(inArray(sessions.sessionId, [...ids]))
      .returning({ id: sessions.sessionId })
    return { sessions: ended.length, tokens: revoked.length }
  }

  async #revokeClientIn(tx: NodePgDatabase, clientId: string): Promise<Revocation> {
    const { tokens, codes } = this.#tables
    const fromTokens = await tx
      .selectDistinct({ sessionId: tokens.sessionId })
      .from(tokens)
      .where(eq(tokens.clientId, clientId))
    const fromCodes = await tx
      .selectDistinct({ sessionId: codes.sessionId })
      .from(codes)
      .where(eq(codes.clientId, clientId))
    const ids = [...new Set([...fromTokens, ...fromCodes].map((row) => row.sessionId))]
    const ended = await this.#endSessions(tx, ids)
    const revoked = await tx
      .update(tokens)
      .set({ revoked: true })
      .where(and(eq(tokens.clientId, clientId), eq(tokens.revoked, false)))
      .returning({ hash: tokens.tokenHash })
    return { sessions: ended.sessions, tokens: ended.tokens + revoked.length }
  }

  async #run<T>(operation: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      throw toStoreError(error, operation, this.#options.target)
    }
  }

  /** One transaction on one pooled connection; a connection whose rollback failed is destroyed. */
  async #transaction<T>(operation: string, body: (tx: NodePgDatabase) => Promise<T>): Promise<T> {
    return this.#run(operation, async () => {
      const client = await this.#pool.connect()
      let reusable = true
      try {
        await client.query('BEGIN')
        const result = await body(drizzle(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        reusable = await client.query('ROLLBACK').then(
          () => true,
          () => false,
        )
        throw error
      } finally {
        client.release(!reusable)
      }
    })
  }
}
