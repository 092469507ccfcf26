import { planExchange, planRotation } from '../store-kit/grant-plans.js'
import { KeyedMutex } from '../store-kit/keyed-mutex.js'
import { codeToRow, rowToToken, tokenToRow } from '../store-kit/record-codec.js'
import { bornRevoked } from '../store-kit/rotation-rules.js'
import { emptySweepCounts, type SweepCounts, UNUSED_CLIENT_MS } from '../store-kit/sweep-rules.js'
import { MemorySingleUse } from './memory-single-use.js'
import { MemoryStoreAdmin } from './memory-store-admin.js'
import type { OAuthStore } from './oauth-store.js'
import type {
  ClientRecord,
  CodeRecord,
  ConsumeCodeResult,
  IssueTokens,
  RotateRefreshResult,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from './records.js'

interface StoredCode {
  record: CodeRecord
  consumed: boolean
  consumedAt: number | null
}

/**
 * OAuth state in memory, lost on restart (the guide's default without `persistence`).
 * Every method body runs without an `await` before its decision, so each single-use step is
 * atomic on Node's one thread.
 */
export class MemoryStore implements OAuthStore {
  /** Single-use records (`SingleUseRecords`), in this process. */
  readonly singleUse = new MemorySingleUse()
  readonly #clients = new Map<string, ClientRecord>()
  readonly #transactions = new Map<string, TransactionRecord>()
  readonly #codes = new Map<string, StoredCode>()
  readonly #tokens = new Map<string, TokenRecord>()
  readonly #sessions = new Map<string, SessionRecord>()
  /** Revoked families, until the last of their tokens expired: tokens saved into one are born revoked. */
  readonly #revokedFamilies = new Map<string, number>()
  readonly #sessionLocks = new KeyedMutex()
  /** Operator commands (`StoreAdmin`) on the same maps. */
  readonly admin = new MemoryStoreAdmin({
    clients: this.#clients,
    codes: this.#codes,
    tokens: this.#tokens,
    sessions: this.#sessions,
  })

  async saveClient(client: ClientRecord): Promise<void> {
    this.#clients.set(client.clientId, client)
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.#clients.get(clientId)
  }

  async saveTransaction(transaction: TransactionRecord): Promise<void> {
    this.#transactions.set(transaction.id, transaction)
  }

  async consumeTransaction(id: string, now: number): Promise<TransactionRecord | undefined> {
    const transaction = this.#transactions.get(id)
    if (!transaction) return undefined
    this.#transactions.delete(id)
    return transaction.expiresAt > now ? transaction : undefined
  }

  async saveCode(code: CodeRecord): Promise<void> {
    this.#codes.set(code.codeHash, { record: code, consumed: false, consumedAt: null })
  }

  async exchangeCode(
    codeHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<CodeRecord>,
  ): Promise<ConsumeCodeResult> {
    const stored = this.#codes.get(codeHash)
    if (!stored) return { outcome: 'missing' }
    const family = [...this.#tokens.values()].filter((token) => token.familyId === stored.record.familyId)
    const row = { ...codeToRow(stored.record), consumed: stored.consumed, consumedAt: stored.consumedAt }
    const plan = planExchange(
      {
        row,
        familyUsed: family.some((token) => token.consumed || token.revoked),
        session: this.#sessions.get(stored.record.sessionId),
      },
      now,
      graceMs,
      issue,
    )
    if ('done' in plan) return plan.done
    stored.consumed = plan.codeSet.consumed
    stored.consumedAt = plan.codeSet.consumedAt
    if (plan.revokeFamily)
      for (const token of family) this.#tokens.set(token.tokenHash, { ...token, revoked: true })
    return plan.finish(this.#save(plan.insert))
  }

  async saveTokens(tokens: readonly TokenRecord[]): Promise<void> {
    this.#save(tokens)
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(tokenHash)
  }

  async rotateRefresh(
    tokenHash: string,
    now: number,
    graceMs: number,
    issue: IssueTokens<TokenRecord>,
  ): Promise<RotateRefreshResult> {
    const token = this.#tokens.get(tokenHash)
    const plan = planRotation(
      {
        token,
        successor: token?.successorHash === undefined ? undefined : this.#tokens.get(token.successorHash),
        session: token && this.#sessions.get(token.sessionId),
      },
      now,
      graceMs,
      issue,
    )
    if ('done' in plan) return plan.done
    for (const write of plan.tokenWrites) {
      const current = this.#tokens.get(write.tokenHash)
      if (current) this.#tokens.set(write.tokenHash, rowToToken({ ...tokenToRow(current), ...write.set }))
    }
    return plan.finish(this.#save(plan.insert))
  }

  async revokeToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const token = this.#tokens.get(tokenHash)
    if (token) this.#tokens.set(tokenHash, { ...token, revoked: true })
    return token
  }

  async revokeFamily(familyId: string): Promise<number> {
    let until = this.#revokedFamilies.get(familyId) ?? 0
    for (const token of this.#tokens.values())
      if (token.familyId === familyId) until = Math.max(until, token.expiresAt)
    this.#revokedFamilies.set(familyId, until)
    return this.#revokeWhere((token) => token.familyId === familyId)
  }

  async saveSession(session: SessionRecord): Promise<void> {
    this.#sessions.set(session.sessionId, session)
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.#sessions.get(sessionId)
  }

  async updateSession(sessionId: string, patch: SessionPatch): Promise<void> {
    const session = this.#sessions.get(sessionId)
    if (session) this.#sessions.set(sessionId, { ...session, ...patch })
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.#sessions.delete(sessionId)
    this.#revokeWhere((token) => token.sessionId === sessionId)
  }

  /** Optional member of `OAuthStore`: one holder per session at a time (one process is all there is). */
  async withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    return this.#sessionLocks.run(sessionId, fn)
  }

  async sweepExpired(now: number): Promise<SweepCounts> {
    const counts = emptySweepCounts()
    const drop = <V>(map: Map<string, V>, expired: (value: V) => boolean): number => {
      let removed = 0
      for (const [key, value] of map) {
        if (!expired(value)) continue
        map.delete(key)
        removed++
      }
      return removed
    }
    counts.transactions = drop(this.#transactions, (value) => value.expiresAt <= now)
    counts.codes = drop(this.#codes, (value) => value.record.expiresAt <= now)
    counts.tokens = drop(this.#tokens, (value) => value.expiresAt <= now)
    counts.sessions = drop(this.#sessions, (value) => value.expiresAt <= now)
    counts.revokedFamilies = drop(this.#revokedFamilies, (until) => until <= now)
    const inUse = new Set<string>()
    for (const value of this.#transactions.values()) inUse.add(value.clientId)
    for (const value of this.#codes.values()) inUse.add(value.record.clientId)
    for (const value of this.#tokens.values()) inUse.add(value.clientId)
    counts.clients = drop(
      this.#clients,
      (client) => client.issuedAt + UNUSED_CLIENT_MS <= now && !inUse.has(client.clientId),
    )
    return counts
  }

  async close(): Promise<void> {}

  #save(tokens: readonly TokenRecord[]): TokenRecord[] {
    const saved = bornRevoked(tokens, new Set(this.#revokedFamilies.keys()))
    for (const token of saved) this.#tokens.set(token.tokenHash, token)
    return saved
  }

  #revokeWhere(match: (token: TokenRecord) => boolean): number {
    let live = 0
    for (const [key, token] of this.#tokens) {
      if (!match(token)) continue
      if (!token.revoked) live++
      this.#tokens.set(key, { ...token, revoked: true })
    }
    return live
  }

  /** Optional member (`DeletesClients`): an expired registration. */
  async deleteClient(clientId: string): Promise<void> {
    this.#clients.delete(clientId)
  }
}
