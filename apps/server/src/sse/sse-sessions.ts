import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { handOver } from '../http/hand-over.js'
import { writeRawError } from '../http/json-rpc-error.js'
import type { McpContext } from '../http/mcp-context.js'
import { type OwnedSession, OwnedSessions, ownerOf, type SessionLimits } from '../http/owned-sessions.js'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'

interface SseSession extends OwnedSession {
  readonly transport: SSEServerTransport
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
  readonly #sessions: OwnedSessions<SseSession>

  /** The caps are those of MCP sessions: per user, and overall (past it 503, nobody evicted). */
  constructor(context: McpContext, messagesPath: string, limits: Partial<SessionLimits> = {}) {
    this.#context = context
    this.#messagesPath = messagesPath
    this.#sessions = new OwnedSessions(limits)
  }

  get size(): number {
    return this.#sessions.size
  }

  /** `GET /sse`: opens the stream; it stays open until the client or the server closes it. */
  async open(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const user = this.#context.userOf(request)
    handOver(request, reply, authInfoFor(user))
    const owner = ownerOf(user)
    if (!this.#sessions.makeRoomFor(owner)) {
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
      this.#sessions.add(transport.sessionId, session)
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
    const session = this.#sessions.use(id, user)
    if (!session) {
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

  /** Ends every stream, so the HTTP server can close. */
  closeAll(): Promise<void> {
    return this.#sessions.closeAll()
  }
}
