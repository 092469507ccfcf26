import type {
  ClientRecord,
  Clock,
  CodeRecord,
  ConsumeCodeResult,
  OAuthStore,
  RotateRefreshResult,
  SealedBox,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from '@mxcp/auth-core'
import { and, eq, gt, inArray, sql } from 'drizzle-orm'
import type { StoreDatabase } from './database/open-database.js'
import {
  clientToRow,
  codeToRow,
  rowToClient,
  rowToCode,
  rowToSession,
  rowToToken,
  rowToTransaction,
  sealUpstream,
  sessionToRow,
  tokenToRow,
  transactionToRow,
} from './database/records.js'
import { clients, codes, revokedFamilies, sessions, tokens, transactions } from './database/schema.js'
import { toStoreError } from './database/sqlite-errors.js'
import { sweepExpiredRows } from './database/sweep-expired.js'
import type { SqliteStoreLogger } from './options.js'
import { SessionLocks } from './session-lock.js'
import { SqliteStoreAdmin } from './sqlite-store-admin.js'

/**
 * How long a revoked family is remembered: far longer than the few seconds between a winner's
 * `consumeCode` or `rotateRefreshToken` and its `saveTokens` (an upstream refresh included).
 */
const REVOKED_FAMILY_TTL_MS = 10 * 60_000

export interface SqliteStoreParts {
  readonly db: StoreDatabase
  readonly box: SealedBox
  readonly path: string
  readonly clock: Clock
  readonly logger: SqliteStoreLogger | undefined
  readonly sweepIntervalMs: number
}

/**
 * `OAuthStore` on one SQLite file, safe for several processes sharing it. Every single-use step
 * is ONE conditional statement (`UPDATE … WHERE consumed = 0 AND expires_at > ? RETURNING`,
 * `DELETE … RETURNING`): SQLite runs it under the database write lock, so whichever connection
 * gets a row back is the only winner, in this process or any other. Anything that reads before
 * it writes runs in a `BEGIN IMMEDIATE` transaction, which takes the write lock first.
 *
 * better-sqlite3 is synchronous: each method finishes its SQL before it returns a promise.
 */
export class SqliteStore implements OAuthStore {
  readonly #db: StoreDatabase
  readonly #box: SealedBox
  readonly #path: string
  readonly #clock: Clock
  readonly #logger: SqliteStoreLogger | undefined
  readonly #sweeper: NodeJS.Timeout
  readonly #locks: SessionLocks
  /** The hot read of every authenticated request, prepared once. */
  readonly #selectToken
  readonly #selectSession
  /** Operator commands (`StoreAdmin`) on the same file. */
  readonly admin: SqliteStoreAdmin

  constructor(parts: SqliteStoreParts) {
    this.admin = new SqliteStoreAdmin(parts.db, parts.path)
    this.#db = parts.db
    this.#box = parts.box
    this.#path = parts.path
    this.#clock = parts.clock
    this.#logger = parts.logger
    this.#selectToken = this.#db
      .select()
      .from(tokens)
      .where(eq(tokens.tokenHash, sql.placeholder('hash')))
      .prepare()
    this.#selectSession = this.#db
      .select()
      .from(sessions)
      .where(eq(sessions.sessionId, sql.placeholder('id')))
      .prepare()
    this.#locks = new SessionLocks((work) => this.#use(work), this.#clock, this.#logger)
    this.#sweeper = setInterval(() => this.#sweepOnTimer(), parts.sweepIntervalMs)
    // The sweep alone must never keep the process alive.
    this.#sweeper.unref()
  }

  async saveClient(client: ClientRecord): Promise<void> {
    this.#use((db) => {
      const row = clientToRow(client)
      db.insert(clients).values(row).onConflictDoUpdate({ target: clients.clientId, set: row }).run()
    })
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.#use((db) => {
      const row = db.select().from(clients).where(eq(clients.clientId, clientId)).get()
      return row && rowToClient(row)
    })
  }

  async saveTransaction(transaction: TransactionRecord): Promise<void> {
    this.#use((db) => db.insert(transactions).values(transactionToRow(transaction, this.#box)).run())
  }

  async consumeTransaction(id: string, now: number): Promise<TransactionRecord | undefined> {
    return this.#use((db) => {
      // Deleted whatever its age: an expired transaction is of no further use either.
      const row = db.delete(transactions).where(eq(transactions.id, id)).returning().get()
      return row && row.expiresAt > now ? rowToTransaction(row, this.#box) : undefined
    })
  }

  async saveCode(code: CodeRecord): Promise<void> {
    this.#use((db) => db.insert(codes).values(codeToRow(code)).run())
  }

  async consumeCode(codeHash: string, now: number): Promise<ConsumeCodeResult> {
    return this.#use((db): ConsumeCodeResult => {
      const won = db
        .update(codes)
        .set({ consumed: true })
        .where(and(eq(codes.codeHash, codeHash), eq(codes.consumed, false), gt(codes.expiresAt, now)))
        .returning()
        .get()
      if (won) return { outcome: 'consumed', code: rowToCode(won) }
      // Lost or never eligible: the row tells which, and cannot turn back into an unused code.
      const row = db.select().from(codes).where(eq(codes.codeHash, codeHash)).get()
      if (!row) return { outcome: 'missing' }
      if (row.consumed) return { outcome: 'replayed', code: rowToCode(row) }
      return { outcome: 'expired' }
    })
  }

  async saveTokens(records: readonly TokenRecord[]): Promise<void> {
    if (records.length === 0) return
    const families = [...new Set(records.map((token) => token.familyId))]
    // IMMEDIATE: the family check and the insert hold the write lock together, so a concurrent
    // `revokeFamily` (any process) lands either before (seen here) or after (revokes these rows).
    this.#use((db) =>
      db.transaction(
        (tx) => {
          const revoked = new Set(
            tx
              .select({ familyId: revokedFamilies.familyId })
              .from(revokedFamilies)
              .where(
                and(
                  inArray(revokedFamilies.familyId, families),
                  gt(revokedFamilies.expiresAt, this.#clock.now()),
                ),
              )
              .all()
              .map((row) => row.familyId),
          )
          const rows = records.map((token) => ({
            ...tokenToRow(token),
            revoked: token.revoked || revoked.has(token.familyId),
          }))
          // One multi-row INSERT: the access and refresh token of a grant are stored together or not at all.
          tx.insert(tokens).values(rows).run()
        },
        { behavior: 'immediate' },
      ),
    )
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return this.#use(() => {
      const row = this.#selectToken.get({ hash: tokenHash })
      return row && rowToToken(row)
    })
  }

  async rotateRefreshToken(tokenHash: string, now: number): Promise<RotateRefreshResult> {
    return this.#use((db): RotateRefreshResult => {
      const won = db
        .update(tokens)
        .set({ consumed: true })
        .where(
          and(
            eq(tokens.tokenHash, tokenHash),
            eq(tokens.kind, 'refresh'),
            eq(tokens.consumed, false),
            eq(tokens.revoked, false),
            gt(tokens.expiresAt, now),
          ),
        )
        .returning()
        .get()
      if (won) return { outcome: 'rotated', token: rowToToken(won) }
      const row = this.#selectToken.get({ hash: tokenHash })
      if (row?.kind !== 'refresh') return { outcome: 'missing' }
      if (row.consumed) return { outcome: 'reused', token: rowToToken(row) }
      if (row.revoked) return { outcome: 'revoked' }
      return { outcome: 'expired' }
    })
  }

  async revokeToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return this.#use((db) =>
      db.transaction(
        (tx) => {
          const row = tx.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).get()
          if (!row) return undefined
          tx.update(tokens).set({ revoked: true }).where(eq(tokens.tokenHash, tokenHash)).run()
          return rowToToken(row)
        },
        { behavior: 'immediate' },
      ),
    )
  }

  /**
   * Revokes the family's tokens and remembers the family, so tokens of it saved afterwards (by
   * the winner of a code or refresh race, in any process) are stored revoked.
   */
  async revokeFamily(familyId: string): Promise<number> {
    const until = this.#clock.now() + REVOKED_FAMILY_TTL_MS
    return this.#use((db) =>
      db.transaction(
        (tx) => {
          tx.insert(revokedFamilies)
            .values({ familyId, expiresAt: until })
            .onConflictDoUpdate({
              target: revokedFamilies.familyId,
              set: { expiresAt: sql`max(${revokedFamilies.expiresAt}, excluded.expires_at)` },
            })
            .run()
          return tx
            .update(tokens)
            .set({ revoked: true })
            .where(and(eq(tokens.familyId, familyId), eq(tokens.revoked, false)))
            .run().changes
        },
        { behavior: 'immediate' },
      ),
    )
  }

  async saveSession(session: SessionRecord): Promise<void> {
    this.#use((db) => {
      const row = sessionToRow(session, this.#box)
      db.insert(sessions).values(row).onConflictDoUpdate({ target: sessions.sessionId, set: row }).run()
    })
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.#use(() => {
      const row = this.#selectSession.get({ id: sessionId })
      return row && rowToSession(row, this.#box)
    })
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<void> {
    const changes: Partial<typeof sessions.$inferInsert> = {}
    if (patch.user !== undefined) changes.user = patch.user
    if (patch.upstream !== undefined)
      changes.upstreamSealed = sealUpstream(patch.upstream, sessionId, this.#box)
    if (patch.userFetchedAt !== undefined) changes.userFetchedAt = patch.userFetchedAt
    if (Object.keys(changes).length === 0) return
    this.#use((db) => db.update(sessions).set(changes).where(eq(sessions.sessionId, sessionId)).run())
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.#use((db) =>
      db.transaction(
        (tx) => {
          tx.delete(sessions).where(eq(sessions.sessionId, sessionId)).run()
          tx.update(tokens).set({ revoked: true }).where(eq(tokens.sessionId, sessionId)).run()
        },
        { behavior: 'immediate' },
      ),
    )
  }

  /**
   * Runs `fn` holding the session's lock in every process sharing the file, so an upstream token
   * refresh happens once; waits up to 35 s for another holder (a dead one's lease ends at 30 s).
   */
  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withSessionLock(sessionId, fn)
  }

  async sweepExpired(now: number): Promise<void> {
    this.#use((db) => sweepExpiredRows(db, now))
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    // Closing the last connection checkpoints the WAL into the database and removes -wal and -shm.
    if (this.#db.$client.open) this.#db.$client.close()
  }

  #sweepOnTimer(): void {
    try {
      this.#use((db) => sweepExpiredRows(db, this.#clock.now()))
    } catch (error) {
      // A locked database now is no reason to stop: the next tick tries again.
      this.#logger?.warn(
        { path: this.#path, error: String(error) },
        'OAuth store: sweeping expired rows failed',
      )
    }
  }

  /** Runs `work`, turning a locked or unusable database into `StoreUnavailableError`. */
  #use<T>(work: (db: StoreDatabase) => T): T {
    try {
      return work(this.#db)
    } catch (error) {
      throw toStoreError(error, this.#path)
    }
  }
}
