import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { UserContext } from '@mxcp/auth-core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { handOver } from '../http/hand-over.js'
import { writeRawError } from '../http/json-rpc-error.js'
import type { McpContext } from '../http/mcp-context.js'
import {
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_USER,
  type SessionLimits,
} from '../http/mcp-sessions.js'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'

interface SseSession {
  readonly transport: SSEServerTransport
  readonly server: Server
  /** Who opened the stream: only the same user, through the same client, may post to it. */
  readonly owner: string
}

/** The owner of every stream when authentication is off. */
const ANONYMOUS_OWNER = 'anonymous'

/** The session binding key (MCP SBP: bind session IDs to user-specific information). */
function ownerOf(user: UserContext): string {
  return user.anonymous ? ANONYMOUS_OWNER : JSON.stringify([user.provider, user.userId, user.clientId])
}

/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05): `GET /sse` opens an event stream whose first
 * event names `POST /messages?sessionId=…`, where the client sends its messages; answers come
 * back on the stream. The guard checks the token on the GET and on every POST, and a stream
 * answers only the user who opened it: to anyone else its id does not exist (404).
 */
export class SseSessions {
  readonly #context: McpContext
  readonly #messagesPath: string
  readonly #limits: SessionLimits
  /** In order of last use, oldest first. */
  readonly #sessions = new Map<string, SseSession>()

  /** The caps are those of MCP sessions: per user, and overall (past it 503, nobody evicted). */
  constructor(context: McpContext, messagesPath: string, limits: Partial<SessionLimits> = {}) {
    this.#context = context
    this.#messagesPath = messagesPath
    this.#limits = {
      maxSessions: limits.maxSessions ?? DEFAULT_MAX_SESSIONS,
      maxPerUser: limits.maxPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER,
    }
  }

  get size(): number {
    return this.#sessions.size
  }

  /** `GET /sse`: opens the stream; it stays open until the client or the server closes it. */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = this.#context.userOf(request)
    handOver(request, reply, authInfoFor(user))
    const owner = ownerOf(user)
    if (!this.#makeRoomFor(owner)) {
      request.log.warn('SSE stream refused: the server has as many streams open as it allows')
      reply.raw.setHeader('retry-after', '30')
      writeRawError(reply.raw, 503, -32000, 'Too many open sessions; try again later')
      return
    }
    // The stream IS this GET request: its log lines keep the request's id.
    const server = createMcpServer(this.#context.catalog, this.#context.identity, request.log)
    const transport = new SSEServerTransport(this.#messagesPath, reply.raw)
    const session: SseSession = { transport, server, owner }
    transport.onclose = () => {
      this.#sessions.delete(transport.sessionId)
    }
    try {
      await server.connect(transport)
      this.#sessions.set(transport.sessionId, session)
      request.log.info({ sessionId: transport.sessionId }, 'SSE stream opened')
    } catch (error) {
      request.log.error({ err: error }, 'SSE stream failed to open')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }

  /** `POST /messages?sessionId=…`: one client message for the stream it names. */
  async post(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = this.#context.userOf(request)
    const raw = handOver(request, reply, authInfoFor(user))
    const id = (request.query as Record<string, unknown> | undefined)?.['sessionId']
    const session = typeof id === 'string' ? this.#sessions.get(id) : undefined
    if (typeof id !== 'string' || !session || session.owner !== ownerOf(user)) {
      writeRawError(reply.raw, 404, -32001, 'Session not found')
      return
    }
    this.#sessions.delete(id)
    this.#sessions.set(id, session)
    try {
      await session.transport.handlePostMessage(raw, reply.raw, request.body)
    } catch (error) {
      request.log.error({ err: error }, 'SSE message failed')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }

  /**
   * Room for one more stream of `owner`, as for MCP sessions: closes that owner's least recently
   * used streams past its cap, never anyone else's; false when the server is full of other
   * users' streams. Anonymous callers (auth `none`) share the overall cap.
   */
  #makeRoomFor(owner: string): boolean {
    const cap = owner === ANONYMOUS_OWNER ? this.#limits.maxSessions : this.#limits.maxPerUser
    const own = [...this.#sessions].filter(([, session]) => session.owner === owner)
    for (const [id, session] of own.slice(0, Math.max(0, own.length - cap + 1))) {
      this.#sessions.delete(id)
      void session.server.close()
    }
    return this.#sessions.size < this.#limits.maxSessions
  }

  /** Ends every stream, so the HTTP server can close. */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    await Promise.allSettled(sessions.map((session) => session.server.close()))
  }
}
