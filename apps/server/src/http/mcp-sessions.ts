import { randomUUID } from 'node:crypto'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { UserContext } from '@mxcp/auth-core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'
import { handOver } from './hand-over.js'
import { writeRawError } from './json-rpc-error.js'
import type { McpContext } from './mcp-context.js'
import { SessionEventStore, SSE_RETRY_MS } from './session-event-store.js'

interface Session {
  readonly transport: StreamableHTTPServerTransport
  readonly server: Server
  /** Who opened it: only the same user, through the same client, may use it. */
  readonly owner: string
}

/** Default cap on open sessions overall; past it a new session is refused (503), nobody is evicted. */
export const DEFAULT_MAX_SESSIONS = 1000

/** Default cap on one user's open sessions; past it that user's least recently used one is closed. */
export const DEFAULT_MAX_SESSIONS_PER_USER = 20

/** The caps on open MCP sessions (issue 15, point 7). */
export interface SessionLimits {
  /** Sessions open at once, overall. */
  readonly maxSessions: number
  /** Sessions one user (one owner) may have open at once. */
  readonly maxPerUser: number
}

/** The owner of every session when authentication is off. */
const ANONYMOUS_OWNER = 'anonymous'

/** The session binding key (MCP SBP 2.3.4: bind session IDs to user-specific information). */
function ownerOf(user: UserContext): string {
  return user.anonymous ? ANONYMOUS_OWNER : JSON.stringify([user.provider, user.userId, user.clientId])
}

/**
 * Stateful streamable HTTP (`transport.http.stateless: false`): one MCP server per session,
 * created on `initialize`, found by `Mcp-Session-Id` afterwards. The token is still checked on
 * every request by the guard (a session is never authentication), and a session answers only
 * the user who opened it; to anyone else it does not exist (404).
 */
export class McpSessions {
  readonly #context: McpContext
  readonly #limits: SessionLimits
  /** In order of last use, oldest first. */
  readonly #sessions = new Map<string, Session>()

  constructor(context: McpContext, limits: Partial<SessionLimits> = {}) {
    this.#context = context
    this.#limits = {
      maxSessions: limits.maxSessions ?? DEFAULT_MAX_SESSIONS,
      maxPerUser: limits.maxPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER,
    }
  }

  get size(): number {
    return this.#sessions.size
  }

  /** GET, POST and DELETE on `/mcp`. */
  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = this.#context.userOf(request)
    const raw = handOver(request, reply, authInfoFor(user))
    const header = request.headers['mcp-session-id']
    try {
      if (header === undefined) {
        if (request.method !== 'POST' || !isInitializeRequest(request.body)) {
          writeRawError(reply.raw, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
          return
        }
        const owner = ownerOf(user)
        if (!this.#makeRoomFor(owner)) {
          request.log.warn('MCP session refused: the server has as many sessions open as it allows')
          reply.raw.setHeader('retry-after', '30')
          writeRawError(reply.raw, 503, -32000, 'Too many open sessions; try again later')
          return
        }
        const session = await this.#open(request, owner)
        await session.transport.handleRequest(raw, reply.raw, request.body)
        return
      }
      const session = typeof header === 'string' ? this.#sessions.get(header) : undefined
      if (typeof header !== 'string' || !session || session.owner !== ownerOf(user)) {
        writeRawError(reply.raw, 404, -32001, 'Session not found')
        return
      }
      this.#touch(header, session)
      await session.transport.handleRequest(raw, reply.raw, request.body)
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }

  async #open(request: FastifyRequest, owner: string): Promise<Session> {
    // The session outlives this request: its log lines must not carry this request's id.
    const server = createMcpServer(this.#context.catalog, this.#context.identity, request.server.log)
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Answers as event streams, so notifications of a request (progress, log messages) reach
      // the client before its result, as in MXCP's session mode.
      enableJsonResponse: false,
      // A broken stream resumes with Last-Event-ID; priming events and `retry` tell the client how.
      eventStore: new SessionEventStore(),
      retryInterval: SSE_RETRY_MS,
      onsessioninitialized: (id) => {
        request.log.info({ sessionId: id }, 'MCP session opened')
        this.#makeRoomFor(owner)
        this.#sessions.set(id, session)
      },
    })
    const session: Session = { transport, server, owner }
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.#sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    return session
  }

  #touch(id: string, session: Session): void {
    this.#sessions.delete(id)
    this.#sessions.set(id, session)
  }

  /**
   * Room for one more session of `owner`: closes that owner's least recently used sessions past
   * its cap; never anyone else's (MCP SBP 2.3.4: one user cannot end another's session). False
   * when the server is full of other users' sessions.
   */
  #makeRoomFor(owner: string): boolean {
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

  /** Ends every session (open SSE streams included), so the HTTP server can close. */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    await Promise.allSettled(sessions.map((session) => session.server.close()))
  }
}
