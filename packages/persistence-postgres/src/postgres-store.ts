import type {
  ClientRecord,
  CodeRecord,
  ConsumeCodeResult,
  IssueTokens,
  OAuthStore,
  RotateRefreshResult,
  SealedBox,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from '@mxcp/auth-core/store-kit'
import * as codec from '@mxcp/auth-core/store-kit'
import { and, eq, gt, inArray, or, sql } from 'drizzle-orm'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import { familyLockKey } from './advisory-key.js'
import { sweepIfFirst, sweepInTurn } from './expired-rows.js'
import type { ResolvedOptions } from './options.js'
import { PostgresStoreAdmin } from './postgres-store-admin.js'
import type { Tables } from './schema/define-tables.js'
import { SessionLocks } from './session-lock.js'
import { PostgresSingleUse } from './single-use-records.js'
import { isBrokenConnection, toStoreError } from './store-errors.js'
import { type Sweeper, startSweeper } from './sweeper.js'
import { runInTransaction } from './transaction.js'

/** What `openPostgresStore` hands the store once the schema is ready. */
export interface PostgresStoreParts {
  readonly options: ResolvedOptions
  readonly pool: pg.Pool
  readonly lockPool: pg.Pool
  readonly tables: Tables
  readonly box: SealedBox
}

/**
 * `OAuthStore` on PostgreSQL, shared by every replica of the server.
 *
 * Every "use once" step is one conditional statement (`UPDATE … WHERE consumed = false … RETURNING`,
 * `DELETE … RETURNING`) whose returned row decides the winner: under READ COMMITTED a second
 * statement on the same row waits for the first to commit, re-checks its condition on the new row
 * version and matches nothing. Only a loser reads the row again, to say why it lost.
 * Nothing is cached, so a revocation on one replica is seen by the next lookup on any other.
 */
export class PostgresStore implements OAuthStore {
  readonly #options: ResolvedOptions
  readonly #pool: pg.Pool
  readonly #lockPool: pg.Pool
  readonly #db: NodePgDatabase
  readonly #tables: Tables
  readonly #box: SealedBox
  readonly #locks: SessionLocks
  readonly #sweeper: Sweeper
  /** Single-use records (`SingleUseRecords`) shared by every replica. */
  readonly singleUse: PostgresSingleUse
  #closing: Promise<void> | undefined
  /** Operator commands (`StoreAdmin`) on the same database. */
  readonly admin: PostgresStoreAdmin

  constructor(parts: PostgresStoreParts) {
    this.admin = new PostgresStoreAdmin(parts.pool, parts.tables, parts.options)
    this.#options = parts.options
    this.#pool = parts.pool
    this.#lockPool = parts.lockPool
    this.#db = drizzle(parts.pool)
    this.#tables = parts.tables
    this.#box = parts.box
    this.#locks = new SessionLocks(parts.lockPool, parts.options)
    this.singleUse = new PostgresSingleUse(parts.pool, parts.options.schema, parts.options.target)
    this.#sweeper = startSweeper({
      intervalMs: parts.options.sweepIntervalMs,
      clock: parts.options.clock,
      logger: parts.options.logger,
      sweep: (now) => this.sweepIfFirst(now),
    })
  }

  async saveClient(client: ClientRecord): Promise<void> {
    const row = codec.clientToRow(client)
    const { clients } = this.#tables
    await this.#run('saveClient', () =>
      this.#db
        .insert(clients)
        .values(row)
        .onConflictDoUpdate({ target: clients.clientId, set: withoutKey(row, 'clientId') }),
    )
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const { clients } = this.#tables
    const [row] = await this.#read('getClient', () =>
      this.#db.select().from(clients).where(eq(clients.clientId, clientId)),
    )
    return row && codec.rowToClient(row)
  }

  async saveTransaction(transaction: TransactionRecord): Promise<void> {
    const row = codec.transactionToRow(transaction, this.#box)
    await this.#run('saveTransaction', () => this.#db.insert(this.#tables.transactions).values(row))
  }

  async consumeTransaction(id: string, now: number): Promise<TransactionRecord | undefined> {
    const { transactions } = this.#tables
    // Deleted whether or not it expired: an expired transaction is of no use to anyone.
    const [row] = await this.#run('consumeTransaction', () =>
      this.#db.delete(transactions).where(eq(transactions.id, id)).returning(),
    )
    return row && row.expiresAt > now ? codec.rowToTransaction(row, this.#box) : undefined
  }

  async saveCode(code: CodeRecord): Promise<void> {
    const row = codec.codeToRow(code)
    await this.#run('saveCode', () => this.#db.insert(this.#tables.codes).values(row))
  }

  /** One transaction: the code row locked (`FOR UPDATE`), used up, and its tokens inserted. */
  async exchangeCode(
    codeHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<CodeRecord>,
  ): Promise<ConsumeCodeResult> {
    const { codes, tokens } = this.#tables
    return this.#transaction('exchangeCode', async (tx): Promise<ConsumeCodeResult> => {
      const [row] = await tx.select().from(codes).where(eq(codes.codeHash, codeHash)).for('update')
      if (!row) return { outcome: 'missing' }
      const familyUsed = row.consumed && (await this.#familyUsed(tx, row.familyId))
      const session = await this.#readSession(tx, row.sessionId)
      const plan = codec.planExchange({ row, familyUsed, session }, now, graceMs, issue)
      if ('done' in plan) return plan.done
      await tx.update(codes).set(plan.codeSet).where(eq(codes.codeHash, codeHash))
      if (plan.revokeFamily)
        await tx.update(tokens).set({ revoked: true }).where(eq(tokens.familyId, plan.revokeFamily))
      return plan.finish(await this.#insertTokens(tx, plan.insert))
    })
  }

  /** Saves tokens; those of a family revoked meanwhile (see `revokeFamily`) are saved revoked. */
  async saveTokens(tokens: readonly TokenRecord[]): Promise<void> {
    if (tokens.length === 0) return
    await this.#transaction('saveTokens', (tx) => this.#insertTokens(tx, tokens))
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const { tokens } = this.#tables
    const [row] = await this.#read('getToken', () =>
      this.#db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)),
    )
    return row && codec.rowToToken(row)
  }

  /**
   * One transaction: the token row (and its successor's, always in that order) locked
   * `FOR UPDATE`, so concurrent rotations on any replica queue; the rules of `rotationStep`.
   */
  async rotateRefresh(
    tokenHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<TokenRecord>,
  ): Promise<RotateRefreshResult> {
    const { tokens } = this.#tables
    return this.#transaction('rotateRefresh', async (tx): Promise<RotateRefreshResult> => {
      const token = await this.#lockToken(tx, tokenHash)
      // Always the token's row first, then its successor's: two rotations never lock in opposite orders.
      const successor = token?.successorHash ? await this.#lockToken(tx, token.successorHash) : undefined
      const session = token && (await this.#readSession(tx, token.sessionId))
      const plan = codec.planRotation({ token, successor, session }, now, graceMs, issue)
      if ('done' in plan) return plan.done
      for (const { tokenHash: hash, set } of plan.tokenWrites)
        await tx.update(tokens).set(set).where(eq(tokens.tokenHash, hash))
      return plan.finish(await this.#insertTokens(tx, plan.insert))
    })
  }

  async revokeToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const { tokens } = this.#tables
    return this.#transaction('revokeToken', async (tx) => {
      // Locked, so the record returned is the row exactly as it was before this revocation.
      const [row] = await tx.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).for('update')
      if (!row) return undefined
      await tx.update(tokens).set({ revoked: true }).where(eq(tokens.tokenHash, tokenHash))
      return codec.rowToToken(row)
    })
  }

  /**
   * Revokes every token of the family and remembers the revocation for a while
   * (`REVOKED_FAMILY_MEMORY_MS`): when two replicas race on one code, the loser revokes the family
   * possibly before the winner has saved what it issued, and those tokens must be born revoked.
   * (Within one process the auth plugin's replay tracker covers this; across replicas only the
   * database can.)
   */
  async revokeFamily(familyId: string): Promise<number> {
    const { tokens, revokedFamilies } = this.#tables
    const until = this.#options.clock.now() + codec.REVOKED_FAMILY_MEMORY_MS
    return this.#transaction('revokeFamily', async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(${familyLockKey(this.#options.schema, familyId)}::bigint)`,
      )
      await tx
        .insert(revokedFamilies)
        .values({ familyId, expiresAt: until })
        .onConflictDoUpdate({ target: revokedFamilies.familyId, set: { expiresAt: until } })
      const revoked = await tx
        .update(tokens)
        .set({ revoked: true })
        .where(and(eq(tokens.familyId, familyId), eq(tokens.revoked, false)))
        .returning({ tokenHash: tokens.tokenHash })
      return revoked.length
    })
  }

  async saveSession(session: SessionRecord): Promise<void> {
    const row = codec.sessionToRow(session, this.#box)
    const { sessions } = this.#tables
    await this.#run('saveSession', () =>
      this.#db
        .insert(sessions)
        .values(row)
        .onConflictDoUpdate({ target: sessions.sessionId, set: withoutKey(row, 'sessionId') }),
    )
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const { sessions } = this.#tables
    const [row] = await this.#read('getSession', () =>
      this.#db.select().from(sessions).where(eq(sessions.sessionId, sessionId)),
    )
    return row && codec.rowToSession(row, this.#box)
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<void> {
    const set = codec.sessionPatchToRow(sessionId, patch, this.#box)
    if (Object.keys(set).length === 0) return
    const { sessions } = this.#tables
    await this.#run('updateSession', () =>
      this.#db.update(sessions).set(set).where(eq(sessions.sessionId, sessionId)),
    )
  }

  async deleteSession(sessionId: string): Promise<void> {
    const { sessions, tokens } = this.#tables
    // One transaction: a logout never leaves live tokens behind a deleted session.
    await this.#transaction('deleteSession', async (tx) => {
      await tx.update(tokens).set({ revoked: true }).where(eq(tokens.sessionId, sessionId))
      await tx.delete(sessions).where(eq(sessions.sessionId, sessionId))
    })
  }

  /** Optional member of `OAuthStore`: see `SessionLocks`. */
  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withSessionLock(sessionId, fn)
  }

  /** Optional member (`DeletesClients`): an expired registration. */
  async deleteClient(clientId: string): Promise<void> {
    const { clients } = this.#tables
    await this.#run('deleteClient', () => this.#db.delete(clients).where(eq(clients.clientId, clientId)))
  }

  /** Removes expired rows, one replica at a time: waits while another replica sweeps. */
  async sweepExpired(now: number): Promise<codec.SweepCounts> {
    return this.#transaction('sweepExpired', (tx) => sweepInTurn(tx, this.#tables, this.#options.schema, now))
  }

  /**
   * One periodic sweep: runs only if no other replica is sweeping right now (an advisory lock tried,
   * never waited for). Resolves to whether this replica swept.
   */
  async sweepIfFirst(now: number): Promise<boolean> {
    const swept = await this.#transaction('sweep', (tx) =>
      sweepIfFirst(tx, this.#tables, this.#options.schema, now),
    )
    if (swept) this.#options.logger?.info?.({ swept }, 'PostgreSQL store: swept expired rows')
    return swept !== false
  }

  /** Stops the sweep timer and closes both pools. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#sweeper.stop()
      await Promise.all([this.#pool.end(), this.#lockPool.end()])
    })()
    await this.#closing
  }

  /** Whether a token of the family was used as a refresh token or revoked. */
  async #familyUsed(tx: NodePgDatabase, familyId: string): Promise<boolean> {
    const { tokens } = this.#tables
    const rows = await tx
      .select({ tokenHash: tokens.tokenHash })
      .from(tokens)
      .where(and(eq(tokens.familyId, familyId), or(eq(tokens.consumed, true), eq(tokens.revoked, true))))
      .limit(1)
    return rows.length > 0
  }

  async #lockToken(tx: NodePgDatabase, tokenHash: string): Promise<TokenRecord | undefined> {
    const { tokens } = this.#tables
    const [row] = await tx.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).for('update')
    return row && codec.rowToToken(row)
  }

  async #readSession(tx: NodePgDatabase, sessionId: string): Promise<SessionRecord | undefined> {
    const { sessions } = this.#tables
    const [row] = await tx.select().from(sessions).where(eq(sessions.sessionId, sessionId))
    return row && codec.rowToSession(row, this.#box)
  }

  /**
   * Inserts tokens in the caller's transaction under a shared advisory lock per family (sorted, so
   * two savers never take them in opposite orders): no `revokeFamily` runs between the check of
   * `revoked_families` and the insert, and tokens of a family revoked meanwhile are born revoked.
   */
  async #insertTokens(tx: NodePgDatabase, records: readonly TokenRecord[]): Promise<TokenRecord[]> {
    if (records.length === 0) return []
    const families = codec.familiesOf(records)
    for (const familyId of families) {
      await tx.execute(
        sql`select pg_advisory_xact_lock_shared(${familyLockKey(this.#options.schema, familyId)}::bigint)`,
      )
    }
    const { revokedFamilies } = this.#tables
    const revoked = await tx
      .select({ familyId: revokedFamilies.familyId })
      .from(revokedFamilies)
      .where(
        and(
          inArray(revokedFamilies.familyId, families),
          gt(revokedFamilies.expiresAt, this.#options.clock.now()),
        ),
      )
    const saved = codec.bornRevoked(records, new Set(revoked.map((row) => row.familyId)))
    await tx.insert(this.#tables.tokens).values(saved.map(codec.tokenToRow))
    return saved
  }

  /** Runs one database step, turning driver failures into the store's errors (see `toStoreError`). */
  async #run<T>(operation: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      throw toStoreError(error, operation, this.#options.target)
    }
  }

  /**
   * Runs one read. A pooled connection found dead (the database restarted, the network dropped it
   * while idle) is replaced once, so the first request after an outage is not refused for nothing.
   * Reads only: a write may have run before its connection broke, and must not run twice.
   */
  async #read<T>(operation: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      if (!isBrokenConnection(error)) throw toStoreError(error, operation, this.#options.target)
    }
    return this.#run(operation, step)
  }

  async #transaction<T>(operation: string, body: (tx: NodePgDatabase) => Promise<T>): Promise<T> {
    return this.#run(operation, () => runInTransaction(this.#pool, (client) => body(drizzle(client))))
  }
}

/** The row without its primary key: what an upsert overwrites. */
function withoutKey<Row extends object, Key extends keyof Row>(row: Row, key: Key): Omit<Row, Key> {
  const { [key]: _key, ...rest } = row
  return rest
}
