import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { UserContext } from '@mxcp/auth-core'

/** Default cap on open sessions overall; past it a new session is refused (503), nobody is evicted. */
export const DEFAULT_MAX_SESSIONS = 1000

/** Default cap on one user's open sessions; past it that user's least recently used one is closed. */
export const DEFAULT_MAX_SESSIONS_PER_USER = 20

/** The caps on open MCP sessions and SSE streams (issue 15, point 7). */
export interface SessionLimits {
  /** Sessions open at once, overall. */
  readonly maxSessions: number
  /** Sessions one user (one owner) may have open at once. */
  readonly maxPerUser: number
}

/** What every kind of session holds: its MCP server, and who opened it. */
export interface OwnedSession {
  readonly server: Server
  /** Who opened it: only the same user, through the same client, may use it. */
  readonly owner: string
}

/** The owner of every session when authentication is off. */
const ANONYMOUS_OWNER = 'anonymous'

/** The session binding key (MCP SBP 2.3.4: bind session IDs to user-specific information). */
export function ownerOf(user: UserContext): string {
  return user.anonymous ? ANONYMOUS_OWNER : JSON.stringify([user.provider, user.userId, user.clientId])
}

/**
 * Open sessions by id, in order of last use, each bound to its owner and capped per owner and
 * overall. Shared by MCP sessions (streamable HTTP) and legacy SSE streams.
 */
export class OwnedSessions<S extends OwnedSession> {
  readonly #limits: SessionLimits
  /** In order of last use, oldest first. */
  readonly #sessions = new Map<string, S>()

  constructor(limits: Partial<SessionLimits> = {}) {
    this.#limits = {
      maxSessions: limits.maxSessions ?? DEFAULT_MAX_SESSIONS,
      maxPerUser: limits.maxPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER,
    }
  }

  get size(): number {
    return this.#sessions.size
  }

  add(id: string, session: S): void {
    this.#sessions.set(id, session)
  }

  delete(id: string): void {
    this.#sessions.delete(id)
  }

  /**
   * The session `id` if `user` opened it, marked as just used; otherwise undefined: to anyone
   * else a session does not exist.
   */
  use(id: unknown, user: UserContext): S | undefined {
    const session = typeof id === 'string' ? this.#sessions.get(id) : undefined
    if (typeof id !== 'string' || !session || session.owner !== ownerOf(user)) return undefined
    this.#sessions.delete(id)
    this.#sessions.set(id, session)
    return session
  }

  /**
   * Room for one more session of `owner`: closes that owner's least recently used sessions past
   * its cap; never anyone else's (MCP SBP 2.3.4: one user cannot end another's session). False
   * when the server is full of other users' sessions.
   */
  makeRoomFor(owner: string): boolean {
    // Without authentication everyone is the same anonymous caller: there is nobody else to
    // protect, so anonymous sessions share the overall cap, the oldest making room.
    const cap = owner === ANONYMOUS_OWNER ? this.#limits.maxSessions : this.#limits.maxPerUser
    const own = [...this.#sessions].filter(([, session]) => session.owner === owner)
    for (const [id, session] of own.slice(0, Math.max(0, own.length - cap + 1))) {
      this.#sessions.delete(id)
      void session.server.close()
    }
    return this.#sessions.size < this.#limits.maxSessions
  }

  /** Ends every session, so the HTTP server can close. */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    await Promise.allSettled(sessions.map((session) => session.server.close()))
  }
}
