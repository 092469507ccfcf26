import type {
  ClientRecord,
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
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import { familyLockKey } from './advisory-key.js'
import { sweepIfFirst, sweepInTurn } from './expired-rows.js'
import type { ResolvedOptions } from './options.js'
import { PostgresStoreAdmin } from './postgres-store-admin.js'
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
} from './record-mapping.js'
import type { Tables } from './schema/define-tables.js'
import { SessionLocks } from './session-lock.js'
import { isBrokenConnection, toStoreError } from './store-errors.js'
import { type Sweeper, startSweeper } from './sweeper.js'

/**
 * How long a revoked family is remembered, so tokens saved into it afterwards are born revoked
 * (ms, by the store's clock). Far longer than any token request takes.
 */
export const REVOKED_FAMILY_MEMORY_MS = 10 * 60_000

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
    this.#sweeper = startSweeper({
      intervalMs: parts.options.sweepIntervalMs,
      clock: parts.options.clock,
      logger: parts.options.logger,
      sweep: (now) => this.sweepIfFirst(now),
    })
  }

  async saveClient(client: ClientRecord): Promise<void> {
    const row = clientToRow(client)
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
    return row && rowToClient(row)
  }

  async saveTransaction(transaction: TransactionRecord): Promise<void> {
    const row = transactionToRow(transaction, this.#box)
    await this.#run('saveTransaction', () => this.#db.insert(this.#tables.transactions).values(row))
  }

  async consumeTransaction(id: string, now: number): Promise<TransactionRecord | undefined> {
    const { transactions } = this.#tables
    // Deleted whether or not it expired: an expired transaction is of no use to anyone.
    const [row] = await this.#run('consumeTransaction', () =>
      this.#db.delete(transactions).where(eq(transactions.id, id)).returning(),
    )
    return row && row.expiresAt > now ? rowToTransaction(row, this.#box) : undefined
  }

  async saveCode(code: CodeRecord): Promise<void> {
    const row = codeToRow(code)
    await this.#run('saveCode', () => this.#db.insert(this.#tables.codes).values(row))
  }

  async consumeCode(codeHash: string, now: number): Promise<ConsumeCodeResult> {
    const { codes } = this.#tables
    return this.#run('consumeCode', async () => {
      const [won] = await this.#db
        .update(codes)
        .set({ consumed: true })
        .where(and(eq(codes.codeHash, codeHash), eq(codes.consumed, false), gt(codes.expiresAt, now)))
        .returning()
      if (won) return { outcome: 'consumed', code: rowToCode(won) }
      const [row] = await this.#db.select().from(codes).where(eq(codes.codeHash, codeHash))
      if (!row) return { outcome: 'missing' }
      if (row.consumed) return { outcome: 'replayed', code: rowToCode(row) }
      return row.expiresAt <= now ? { outcome: 'expired' } : { outcome: 'missing' }
    })
  }

  /**
   * Saves tokens; those of a family revoked meanwhile (see `revokeFamily`) are saved revoked. Under a
   * shared lock per family, so no revocation of the family runs between the check and the insert.
   */
  async saveTokens(tokens: readonly TokenRecord[]): Promise<void> {
    if (tokens.length === 0) return
    const rows = tokens.map(tokenToRow)
    const families = [...new Set(rows.map((row) => row.familyId))].sort()
    const { revokedFamilies } = this.#tables
    await this.#transaction('saveTokens', async (tx) => {
      // Sorted, so two savers never take the same locks in opposite orders.
      for (const familyId of families) {
        await tx.execute(
          sql`select pg_advisory_xact_lock_shared(${familyLockKey(this.#options.schema, familyId)}::bigint)`,
        )
      }
      const revoked = await tx
        .select({ familyId: revokedFamilies.familyId })
        .from(revokedFamilies)
        .where(inArray(revokedFamilies.familyId, families))
      const dead = new Set(revoked.map((row) => row.familyId))
      await tx
        .insert(this.#tables.tokens)
        .values(rows.map((row) => (dead.has(row.familyId) ? { ...row, revoked: true } : row)))
    })
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const { tokens } = this.#tables
    const [row] = await this.#read('getToken', () =>
      this.#db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)),
    )
    return row && rowToToken(row)
  }

  async rotateRefreshToken(tokenHash: string, now: number): Promise<RotateRefreshResult> {
    const { tokens } = this.#tables
    return this.#run('rotateRefreshToken', async () => {
      const [won] = await this.#db
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
      if (won) return { outcome: 'rotated', token: rowToToken(won) }
      const [row] = await this.#db.select().from(tokens).where(eq(tokens.tokenHash, tokenHash))
      if (row?.kind !== 'refresh') return { outcome: 'missing' }
      if (row.consumed) return { outcome: 'reused', token: rowToToken(row) }
      if (row.revoked) return { outcome: 'revoked' }
      return row.expiresAt <= now ? { outcome: 'expired' } : { outcome: 'missing' }
    })
  }

  async revokeToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const { tokens } = this.#tables
    return this.#transaction('revokeToken', async (tx) => {
      // Locked, so the record returned is the row exactly as it was before this revocation.
      const [row] = await tx.select().from(tokens).where(eq(tokens.tokenHash, tokenHash)).for('update')
      if (!row) return undefined
      await tx.update(tokens).set({ revoked: true }).where(eq(tokens.tokenHash, tokenHash))
      return rowToToken(row)
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
    const until = this.#options.clock.now() + REVOKED_FAMILY_MEMORY_MS
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
    const row = sessionToRow(session, this.#box)
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
    return row && rowToSession(row, this.#box)
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<void> {
    const set: Partial<Tables['sessions']['$inferInsert']> = {}
    if (patch.user !== undefined) set.userJson = JSON.stringify(patch.user)
    if (patch.upstream !== undefined) set.upstreamSealed = sealUpstream(sessionId, patch.upstream, this.#box)
    if (patch.userFetchedAt !== undefined) set.userFetchedAt = patch.userFetchedAt
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

  /** Removes expired rows, one replica at a time: waits while another replica sweeps. */
  async sweepExpired(now: number): Promise<void> {
    await this.#transaction('sweepExpired', (tx) => sweepInTurn(tx, this.#tables, this.#options.schema, now))
  }

  /**
   * One periodic sweep: runs only if no other replica is sweeping right now (an advisory lock tried,
   * never waited for). Resolves to whether this replica swept.
   */
  async sweepIfFirst(now: number): Promise<boolean> {
    return this.#transaction('sweep', (tx) => sweepIfFirst(tx, this.#tables, this.#options.schema, now))
  }

  /** Stops the sweep timer and closes both pools. Safe to call more than once. */
  async close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#sweeper.stop()
      await Promise.all([this.#pool.end(), this.#lockPool.end()])
    })()
    await this.#closing
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

  /**
   * Runs `body` in a transaction on one pooled connection. Done by hand rather than with drizzle's
   * `transaction()`, which returns the connection to the pool even when its rollback failed: here a
   * connection whose state is unknown is destroyed instead.
   */
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

/** The row without its primary key: what an upsert overwrites. */
function withoutKey<Row extends object, Key extends keyof Row>(row: Row, key: Key): Omit<Row, Key> {
  const { [key]: _key, ...rest } = row
  return rest
}
