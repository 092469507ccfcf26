import { clientRevocation, summarizeSession } from '../store-kit/admin-rules.js'
import type { ClientRecord, CodeRecord, SessionRecord, TokenRecord } from './records.js'
import { matchesUser, type Revocation, type SessionSummary, type StoreAdmin } from './store-admin.js'

/** The maps of a `MemoryStore`, shared with its admin. */
export interface MemoryStoreMaps {
  readonly clients: Map<string, ClientRecord>
  readonly codes: Map<string, { record: CodeRecord; consumed: boolean }>
  readonly tokens: Map<string, TokenRecord>
  readonly sessions: Map<string, SessionRecord>
}

/** `StoreAdmin` of the in-memory store. Every method decides without an `await`: atomic on Node's thread. */
export class MemoryStoreAdmin implements StoreAdmin {
  readonly #maps: MemoryStoreMaps

  constructor(maps: MemoryStoreMaps) {
    this.#maps = maps
  }

  async listClients(): Promise<ClientRecord[]> {
    return [...this.#maps.clients.values()].sort((a, b) => a.issuedAt - b.issuedAt)
  }

  async removeClient(clientId: string): Promise<Revocation & { removed: boolean }> {
    const revocation = this.#revokeClient(clientId)
    return { ...revocation, removed: this.#maps.clients.delete(clientId) }
  }

  async listSessions(now: number, user?: string): Promise<SessionSummary[]> {
    const tokens = [...this.#maps.tokens.values()]
    return [...this.#maps.sessions.values()]
      .filter((session) => session.expiresAt > now && (user === undefined || matchesUser(session.user, user)))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((session) => summarizeSession(session, tokens, now))
  }

  async revokeSession(sessionId: string): Promise<Revocation> {
    return this.#endSessions(new Set([sessionId]))
  }

  async revokeUser(user: string): Promise<Revocation> {
    const ids = [...this.#maps.sessions.values()]
      .filter((session) => matchesUser(session.user, user))
      .map((session) => session.sessionId)
    return this.#endSessions(new Set(ids))
  }

  async revokeClient(clientId: string): Promise<Revocation> {
    return this.#revokeClient(clientId)
  }

  #revokeClient(clientId: string): Revocation {
    const ids = new Set<string>()
    for (const token of this.#maps.tokens.values()) if (token.clientId === clientId) ids.add(token.sessionId)
    for (const { record } of this.#maps.codes.values())
      if (record.clientId === clientId) ids.add(record.sessionId)
    const ended = this.#endSessions(ids)
    return clientRevocation(
      ended,
      this.#revokeTokens((token) => token.clientId === clientId),
    )
  }

  #endSessions(ids: ReadonlySet<string>): Revocation {
    let sessions = 0
    for (const id of ids) if (this.#maps.sessions.delete(id)) sessions++
    const tokens = this.#revokeTokens((token) => ids.has(token.sessionId))
    return { sessions, tokens }
  }

  /** Revokes the matching tokens; returns how many were not revoked before. */
  #revokeTokens(match: (token: TokenRecord) => boolean): number {
    let revoked = 0
    for (const [hash, token] of this.#maps.tokens) {
      if (!match(token) || token.revoked) continue
      this.#maps.tokens.set(hash, { ...token, revoked: true })
      revoked++
    }
    return revoked
  }
}
