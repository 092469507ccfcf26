import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { UserContext } from '@mxcp/auth-core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { handOver } from '../http/hand-over.js'
import { writeRawError } from '../http/json-rpc-error.js'
import type { McpContext } from '../http/mcp-context.js'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'

interface SseSession {
  readonly transport: SSEServerTransport
  readonly server: Server
  /** Who opened the stream: only the same user, through the same client, may post to it. */
  readonly owner: string
}

/** Default cap on open SSE streams; past it the oldest one is closed. */
export const DEFAULT_MAX_SSE_SESSIONS = 1000

/** The session binding key (MCP SBP: bind session IDs to user-specific information). */
function ownerOf(user: UserContext): string {
  return user.anonymous ? 'anonymous' : JSON.stringify([user.provider, user.userId, user.clientId])
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
  readonly #maxSessions: number
  /** In order of opening, oldest first. */
  readonly #sessions = new Map<string, SseSession>()

  constructor(context: McpContext, messagesPath: string, maxSessions = DEFAULT_MAX_SSE_SESSIONS) {
    this.#context = context
    this.#messagesPath = messagesPath
    this.#maxSessions = maxSessions
  }

  get size(): number {
    return this.#sessions.size
  }

  /** `GET /sse`: opens the stream; it stays open until the client or the server closes it. */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = this.#context.userOf(request)
    handOver(request, reply, authInfoFor(user))
    // The stream IS this GET request: its log lines keep the request's id.
    const server = createMcpServer(this.#context.catalog, this.#context.identity, request.log)
    const transport = new SSEServerTransport(this.#messagesPath, reply.raw)
    const session: SseSession = { transport, server, owner: ownerOf(user) }
    transport.onclose = () => {
      this.#sessions.delete(transport.sessionId)
    }
    try {
      await server.connect(transport)
      this.#sessions.set(transport.sessionId, session)
      this.#evict()
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
    try {
      await session.transport.handlePostMessage(raw, reply.raw, request.body)
    } catch (error) {
      request.log.error({ err: error }, 'SSE message failed')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }

  #evict(): void {
    for (const session of this.#sessions.values()) {
      if (this.#sessions.size <= this.#maxSessions) return
      void session.server.close()
    }
  }

  /** Ends every stream, so the HTTP server can close. */
  async closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    await Promise.allSettled(sessions.map((session) => session.server.close()))
  }
}
