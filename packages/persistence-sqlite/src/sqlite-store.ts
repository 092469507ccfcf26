import type * as core from '@mxcp/auth-core/store-kit'
import * as codec from '@mxcp/auth-core/store-kit'
import { and, eq, sql } from 'drizzle-orm'
import { type LightCommits, lightCommits } from './database/commit-durability.js'
import { type LoginStatements, prepareLoginStatements } from './database/login-statements.js'
import type { StoreDatabase } from './database/open-database.js'
import { asParameters } from './database/row-placeholders.js'
import { clients, revokedFamilies, sessions, tokens } from './database/schema.js'
import { SqliteSingleUse } from './database/single-use.js'
import { toStoreError } from './database/sqlite-errors.js'
import { sweepExpiredRows } from './database/sweep-expired.js'
import { tokenInserts } from './database/token-inserts.js'
import { tokenLookup } from './database/token-lookup.js'
import { tokenWrites } from './database/token-writes.js'
import { immediateTransactions, type WriteTransaction } from './database/write-transaction.js'
import type { SqliteStoreLogger } from './options.js'
import { SessionLocks } from './session-lock.js'
import { SqliteStoreAdmin } from './sqlite-store-admin.js'

export interface SqliteStoreParts {
  readonly db: StoreDatabase
  readonly box: core.SealedBox
  readonly path: string
  readonly clock: core.Clock
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
export class SqliteStore implements core.OAuthStore {
  readonly #db: StoreDatabase
  readonly #box: core.SealedBox
  readonly #path: string
  readonly #clock: core.Clock
  readonly #logger: SqliteStoreLogger | undefined
  readonly #sweeper: NodeJS.Timeout
  readonly #locks: SessionLocks
  /** Commits without an fsync, for the steps of a sign-in in flight (see `lightCommits`). */
  readonly #lightCommits: LightCommits
  /** `BEGIN IMMEDIATE … COMMIT` around a write, made once (see `immediateTransactions`). */
  readonly #inTransaction: WriteTransaction
  /** The hot read of every authenticated request, prepared once. */
  readonly #selectToken
  /** The statements of every sign-in, prepared once too: drizzle would build their SQL on each call. */
  readonly #sql: LoginStatements
  /** Token rows stored under their key (see `token-key.ts`), prepared once. */
  readonly #insertToken
  /** The token updates of a refresh rotation, each prepared on first use. */
  readonly #writeToken
  /** Single-use records (`SingleUseRecords`) shared by every process on this file. */
  readonly singleUse: SqliteSingleUse
  /** Operator commands (`StoreAdmin`) on the same file. */
  readonly admin: SqliteStoreAdmin

  constructor(parts: SqliteStoreParts) {
    this.admin = new SqliteStoreAdmin(parts.db, parts.path)
    this.#db = parts.db
    this.#box = parts.box
    this.#path = parts.path
    this.#clock = parts.clock
    this.#logger = parts.logger
    this.#inTransaction = immediateTransactions(this.#db.$client)
    this.#selectToken = tokenLookup(this.#db.$client)
    this.#sql = prepareLoginStatements(this.#db)
    this.#insertToken = tokenInserts(this.#db)
    this.#writeToken = tokenWrites(this.#db)
    this.#lightCommits = lightCommits(this.#db.$client)
    this.#locks = new SessionLocks((work) => this.#light(work), this.#clock, this.#logger)
    this.singleUse = new SqliteSingleUse(
      this.#db.$client,
      (work) => this.#use(() => work()),
      (work) => this.#light(() => work()),
    )
    this.#sweeper = setInterval(() => this.#sweepOnTimer(), parts.sweepIntervalMs)
    // The sweep alone must never keep the process alive.
    this.#sweeper.unref()
  }

  /** Light: the client's lease, written next (FULL), carries it to disk. */
  async saveClient(client: core.ClientRecord): Promise<void> {
    this.#light(() => this.#sql.upsertClient.run(asParameters(codec.clientToRow(client))))
  }

  async getClient(clientId: string): Promise<core.ClientRecord | undefined> {
    return this.#use(() => {
      const row = this.#sql.selectClient.get({ id: clientId })
      return row && codec.rowToClient(row)
    })
  }

  async saveTransaction(transaction: core.TransactionRecord): Promise<void> {
    this.#light(() =>
      this.#sql.insertTransaction.run(asParameters(codec.transactionToRow(transaction, this.#box))),
    )
  }

  async consumeTransaction(id: string, now: number): Promise<core.TransactionRecord | undefined> {
    return this.#light(() => {
      // Deleted whatever its age: an expired transaction is of no further use either.
      const row = this.#sql.takeTransaction.get({ id })
      return row && row.expiresAt > now ? codec.rowToTransaction(row, this.#box) : undefined
    })
  }

  async saveCode(code: core.CodeRecord): Promise<void> {
    this.#light(() => this.#sql.insertCode.run(asParameters(codec.codeToRow(code))))
  }

  /** One `BEGIN IMMEDIATE` transaction: read under the write lock, used up, tokens inserted. */
  readonly exchangeCode: core.OAuthStore['exchangeCode'] = async (codeHash, now, graceMs, issue) => {
    return this.#write((): core.ConsumeCodeResult => {
      // Prepared statements run on the same connection, so inside this transaction.
      const row = this.#sql.selectCode.get({ hash: codeHash })
      if (!row) return { outcome: 'missing' }
      const read = {
        row,
        familyUsed: row.consumed && this.#sql.familyUsed.get({ familyId: row.familyId }) !== undefined,
        session: this.#readSession(row.sessionId),
      }
      const plan = codec.planExchange(read, now, graceMs, issue)
      if ('done' in plan) return plan.done
      this.#sql.useCode.run({ ...plan.codeSet, hash: codeHash })
      if (plan.revokeFamily) this.#sql.revokeFamilyTokens.run({ familyId: plan.revokeFamily })
      return plan.finish(this.#insertTokens(plan.insert))
    })
  }

  async saveTokens(records: readonly core.TokenRecord[]): Promise<void> {
    if (records.length > 0) this.#write(() => this.#insertTokens(records))
  }

  async getToken(tokenHash: string): Promise<core.TokenRecord | undefined> {
    return this.#use(() => {
      const row = this.#selectToken(tokenHash)
      return row && codec.rowToToken(row)
    })
  }

  /** One `BEGIN IMMEDIATE` transaction: the rules of `planRotation`, successors inserted. */
  readonly rotateRefresh: core.OAuthStore['rotateRefresh'] = async (tokenHash, now, graceMs, issue) => {
    return this.#write((): core.RotateRefreshResult => {
      const token = this.#readToken(tokenHash)
      const plan = codec.planRotation(
        {
          token,
          successor: token?.successorHash ? this.#readToken(token.successorHash) : undefined,
          session: token && this.#readSession(token.sessionId),
        },
        now,
        graceMs,
        issue,
      )
      if ('done' in plan) return plan.done
      for (const write of plan.tokenWrites) this.#writeToken(write)
      return plan.finish(this.#insertTokens(plan.insert))
    })
  }

  async revokeToken(tokenHash: string): Promise<core.TokenRecord | undefined> {
    return this.#write(() => {
      const row = this.#db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).get()
      if (!row) return undefined
      this.#db.update(tokens).set({ revoked: true }).where(eq(tokens.tokenHash, tokenHash)).run()
      return codec.rowToToken(row)
    })
  }

  /**
   * Revokes the family's tokens and remembers the family, so tokens of it saved afterwards (by
   * the winner of a code or refresh race, in any process) are stored revoked.
   */
  async revokeFamily(familyId: string): Promise<number> {
    const until = this.#clock.now() + codec.REVOKED_FAMILY_MEMORY_MS
    return this.#write(() => {
      this.#db
        .insert(revokedFamilies)
        .values({ familyId, expiresAt: until })
        .onConflictDoUpdate({
          target: revokedFamilies.familyId,
          set: { expiresAt: sql`max(${revokedFamilies.expiresAt}, excluded.expires_at)` },
        })
        .run()
      return this.#db
        .update(tokens)
        .set({ revoked: true })
        .where(and(eq(tokens.familyId, familyId), eq(tokens.revoked, false)))
        .run().changes
    })
  }

  /** Light: the tokens of the sign-in, committed FULL by `exchangeCode`, carry it to disk. */
  async saveSession(session: core.SessionRecord): Promise<void> {
    this.#light(() => this.#sql.upsertSession.run(asParameters(codec.sessionToRow(session, this.#box))))
  }

  async getSession(sessionId: string): Promise<core.SessionRecord | undefined> {
    return this.#use(() => {
      const row = this.#sql.selectSession.get({ id: sessionId })
      return row && codec.rowToSession(row, this.#box)
    })
  }

  async updateSession(sessionId: string, patch: core.SessionPatch): Promise<void> {
    const changes = codec.sessionPatchToRow(sessionId, patch, this.#box)
    if (Object.keys(changes).length === 0) return
    this.#use((db) => db.update(sessions).set(changes).where(eq(sessions.sessionId, sessionId)).run())
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.#write(() => {
      this.#db.delete(sessions).where(eq(sessions.sessionId, sessionId)).run()
      this.#db.update(tokens).set({ revoked: true }).where(eq(tokens.sessionId, sessionId)).run()
    })
  }

  /**
   * Runs `fn` holding the session's lock in every process sharing the file, so an upstream token
   * refresh happens once; waits up to 35 s for another holder (a dead one's lease ends at 30 s).
   */
  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withSessionLock(sessionId, fn)
  }

  /** Optional member (`DeletesClients`): an expired registration. */
  async deleteClient(clientId: string): Promise<void> {
    this.#light((db) => db.delete(clients).where(eq(clients.clientId, clientId)).run())
  }

  async sweepExpired(now: number): Promise<codec.SweepCounts> {
    return this.#light((db) => sweepExpiredRows(db, now))
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper)
    // Closing the last connection checkpoints the WAL into the database and removes -wal and -shm.
    if (this.#db.$client.open) this.#db.$client.close()
  }

  #sweepOnTimer(): void {
    try {
      this.#light((db) => sweepExpiredRows(db, this.#clock.now()))
    } catch (error) {
      // A locked database now is no reason to stop: the next tick tries again.
      this.#logger?.warn(
        { path: this.#path, error: String(error) },
        'OAuth store: sweeping expired rows failed',
      )
    }
  }

  /** A `BEGIN IMMEDIATE` transaction: it takes the write lock first, so what it reads stays true. */
  #write<T>(work: () => T): T {
    return this.#use(() => this.#inTransaction(work))
  }

  /** Inside a write transaction too: the prepared statements run on its connection. */
  #readToken(tokenHash: string): core.TokenRecord | undefined {
    const row = this.#selectToken(tokenHash)
    return row && codec.rowToToken(row)
  }

  #readSession(sessionId: string): core.SessionRecord | undefined {
    const row = this.#sql.selectSession.get({ id: sessionId })
    return row && codec.rowToSession(row, this.#box)
  }

  /**
   * Inserts tokens inside the caller's write transaction (an access and refresh token of a grant
   * are stored together or not at all), one prepared INSERT each; those of a family revoked
   * meanwhile (any process) are born revoked.
   */
  #insertTokens(records: readonly core.TokenRecord[]): core.TokenRecord[] {
    if (records.length === 0) return []
    const now = this.#clock.now()
    const revoked = new Set(
      codec.familiesOf(records).filter((familyId) => this.#sql.revokedFamily.get({ familyId, now })),
    )
    const saved = codec.bornRevoked(records, revoked)
    for (const token of saved) this.#insertToken(codec.tokenToRow(token))
    return saved
  }

  /**
   * `#use` with a commit that does not wait for the disk (`lightCommits`): for what a power cut
   * may take back without harm, because the sign-in is then simply started again, or a later
   * FULL commit (tokens, a client's lease, a revocation) carries it to disk first.
   */
  #light<T>(work: (db: StoreDatabase) => T): T {
    return this.#use((db) => this.#lightCommits(() => work(db)))
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
