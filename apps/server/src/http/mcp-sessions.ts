import { randomUUID } from 'node:crypto'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { ErrorCode, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'
import { handOver } from './hand-over.js'
import { writeRawError } from './json-rpc-error.js'
import type { McpContext } from './mcp-context.js'
import { serveStreamableHttp } from './node-streamable-http.js'
import { type OwnedSession, OwnedSessions, ownerOf, type SessionLimits } from './owned-sessions.js'
import { SessionEventStore, SSE_RETRY_MS } from './session-event-store.js'

interface Session extends OwnedSession {
  readonly transport: WebStandardStreamableHTTPServerTransport
}

/**
 * Stateful streamable HTTP (`transport.http.stateless: false`): one MCP server per session,
 * created on `initialize`, found by `Mcp-Session-Id` afterwards. The token is still checked on
 * every request by the guard (a session is never authentication), and a session answers only
 * the user who opened it; to anyone else it does not exist (404).
 */
export class McpSessions {
  readonly #context: McpContext
  readonly #sessions: OwnedSessions<Session>

  constructor(context: McpContext, limits: Partial<SessionLimits> = {}) {
    this.#context = context
    this.#sessions = new OwnedSessions(limits)
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
        if (!this.#sessions.makeRoomFor(owner)) {
          request.log.warn('MCP session refused: the server has as many sessions open as it allows')
          reply.raw.setHeader('retry-after', '30')
          writeRawError(reply.raw, 503, -32000, 'Too many open sessions; try again later')
          return
        }
        const session = await this.#open(request, owner)
        await serveStreamableHttp(session.transport, raw, reply.raw, request.body)
        return
      }
      const session = this.#sessions.use(header, user)
      if (!session) {
        writeRawError(reply.raw, 404, -32001, 'Session not found')
        return
      }
      await serveStreamableHttp(session.transport, raw, reply.raw, request.body)
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed')
      writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
    }
  }

  async #open(request: FastifyRequest, owner: string): Promise<Session> {
    // The session outlives this request: its log lines must not carry this request's id.
    const server = createMcpServer(this.#context.catalog, this.#context.identity, request.server.log)
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // Answers as event streams, so notifications of a request (progress, log messages) reach
      // the client before its result, as in MXCP's session mode.
      enableJsonResponse: false,
      // A broken stream resumes with Last-Event-ID; priming events and `retry` tell the client how.
      eventStore: new SessionEventStore(),
      retryInterval: SSE_RETRY_MS,
      onsessioninitialized: (id) => {
        request.log.info({ sessionId: id }, 'MCP session opened')
        this.#sessions.makeRoomFor(owner)
        this.#sessions.add(id, session)
      },
    })
    const session: Session = { transport, server, owner }
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.#sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    return session
  }

  /** Ends every session (open SSE streams included), so the HTTP server can close. */
  closeAll(): Promise<void> {
    return this.#sessions.closeAll()
  }
}
