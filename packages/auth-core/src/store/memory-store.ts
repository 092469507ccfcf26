import { MemoryStoreAdmin } from './memory-store-admin.js'
import type { OAuthStore } from './oauth-store.js'
import type {
  ClientRecord,
  CodeRecord,
  ConsumeCodeResult,
  RotateRefreshResult,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from './records.js'

interface StoredCode {
  record: CodeRecord
  consumed: boolean
}

/**
 * OAuth state in memory, lost on restart (the guide's default without `persistence`).
 * Every method body runs without an `await` before its decision, so each single-use step is
 * atomic on Node's one thread.
 */
export class MemoryStore implements OAuthStore {
  readonly #clients = new Map<string, ClientRecord>()
  readonly #transactions = new Map<string, TransactionRecord>()
  readonly #codes = new Map<string, StoredCode>()
  readonly #tokens = new Map<string, TokenRecord>()
  readonly #sessions = new Map<string, SessionRecord>()
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
    this.#codes.set(code.codeHash, { record: code, consumed: false })
  }

  async consumeCode(codeHash: string, now: number): Promise<ConsumeCodeResult> {
    const stored = this.#codes.get(codeHash)
    if (!stored) return { outcome: 'missing' }
    if (stored.consumed) return { outcome: 'replayed', code: stored.record }
    if (stored.record.expiresAt <= now) return { outcome: 'expired' }
    stored.consumed = true
    return { outcome: 'consumed', code: stored.record }
  }

  async saveTokens(tokens: readonly TokenRecord[]): Promise<void> {
    for (const token of tokens) this.#tokens.set(token.tokenHash, token)
  }

  async getToken(tokenHash: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(tokenHash)
  }

  async rotateRefreshToken(tokenHash: string, now: number): Promise<RotateRefreshResult> {
    const token = this.#tokens.get(tokenHash)
    if (token?.kind !== 'refresh') return { outcome: 'missing' }
    if (token.consumed) return { outcome: 'reused', token }
    if (token.revoked) return { outcome: 'revoked' }
    if (token.expiresAt <= now) return { outcome: 'expired' }
    const rotated = { ...token, consumed: true }
    this.#tokens.set(tokenHash, rotated)
    return { outcome: 'rotated', token: rotated }
  }

  async revokeToken(tokenHash: string): Promise<TokenRecord | undefined> {
    const token = this.#tokens.get(tokenHash)
    if (token) this.#tokens.set(tokenHash, { ...token, revoked: true })
    return token
  }

  async revokeFamily(familyId: string): Promise<number> {
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

  async sweepExpired(now: number): Promise<void> {
    for (const [key, value] of this.#transactions) if (value.expiresAt <= now) this.#transactions.delete(key)
    for (const [key, value] of this.#codes) if (value.record.expiresAt <= now) this.#codes.delete(key)
    for (const [key, value] of this.#tokens) if (value.expiresAt <= now) this.#tokens.delete(key)
    for (const [key, value] of this.#sessions) if (value.expiresAt <= now) this.#sessions.delete(key)
  }

  async close(): Promise<void> {}

  #revokeWhere(match: (token: TokenRecord) => boolean): number {
    let live = 0
    for (const [key, token] of this.#tokens) {
      if (!match(token)) continue
      if (!token.revoked) live++
      this.#tokens.set(key, { ...token, revoked: true })
    }
    return live
  }
}
