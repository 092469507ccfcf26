import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { authInfoFor } from '../mcp/caller.js'
import { createMcpServer } from '../mcp/create-mcp-server.js'
import { type DispatchableRequest, dispatchableRequest } from './dispatchable-request.js'
import { handOver } from './hand-over.js'
import { jsonRpcError, writeRawError } from './json-rpc-error.js'
import type { McpContext } from './mcp-context.js'
import { serveStreamableHttp } from './node-streamable-http.js'
import { RequestDispatcher } from './request-dispatcher.js'

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

/**
 * The server every stateless request for a {@link dispatchableRequest} shares: a request costs a
 * dispatch, not a server and a transport. Each request keeps its own id space, caller, abort
 * signal and logger (see {@link RequestDispatcher}); the server itself holds nothing a request
 * could set (no `initialize`, no `logging/setLevel` reaches it).
 */
function sharedServer(
  context: McpContext,
  serverLog: FastifyBaseLogger,
): RequestDispatcher<FastifyBaseLogger> {
  const dispatcher = new RequestDispatcher<FastifyBaseLogger>()
  const server = createMcpServer(
    context.catalog,
    context.identity,
    (requestId) => dispatcher.tagOf(requestId) ?? serverLog,
  )
  // Connecting wires the handlers at once; the dispatcher has nothing to start.
  void server.connect(dispatcher)
  return dispatcher
}

/** Answers a dispatchable request with the shared server, as the SDK's transport would: JSON, 200. */
async function answerShared(
  context: McpContext,
  dispatcher: RequestDispatcher<FastifyBaseLogger>,
  dispatchable: DispatchableRequest,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const raw = handOver(request, reply, authInfoFor(context.userOf(request)))
  const res = reply.raw
  try {
    const dispatched = dispatcher.dispatch(
      dispatchable.request,
      { authInfo: raw.auth, requestInfo: dispatchable.requestInfo },
      request.log,
    )
    // The client went away before its answer: abort this request's handler (as closing a server
    // of its own did), and only this one's.
    res.on('close', () => {
      if (!res.writableFinished) dispatched.cancel()
    })
    const body = JSON.stringify(await dispatched.answer)
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      .end(body)
  } catch (error) {
    request.log.error({ err: error }, 'MCP request failed')
    writeRawError(res, 500, ErrorCode.InternalError, 'Internal error')
  }
}

/**
 * A fresh MCP server and transport for one request (a stateless transport cannot be reused, and
 * a server connects to one transport only), both closed when the response closes.
 */
async function answerAlone(context: McpContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const server = createMcpServer(context.catalog, context.identity, request.log)
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  })
  const raw = handOver(request, reply, authInfoFor(context.userOf(request)))
  reply.raw.on('close', () => {
    void transport.close()
    void server.close()
  })
  try {
    await server.connect(transport)
    await serveStreamableHttp(transport, raw, reply.raw, request.body)
  } catch (error) {
    request.log.error({ err: error }, 'MCP request failed')
    writeRawError(reply.raw, 500, ErrorCode.InternalError, 'Internal error')
  }
}

/**
 * `POST /mcp` in stateless mode: one request (`tools/call`, a listing…) is dispatched to the
 * shared server; anything else (`initialize`, `logging/setLevel`, notifications, batches, what
 * the transport refuses) gets a server of its own.
 */
export function statelessPost(context: McpContext): Handler {
  let dispatcher: RequestDispatcher<FastifyBaseLogger> | undefined
  return async function handleMcpPost(request, reply): Promise<void> {
    const dispatchable = dispatchableRequest(request.raw, request.body)
    if (dispatchable === undefined) return answerAlone(context, request, reply)
    dispatcher ??= sharedServer(context, request.server.log)
    return answerShared(context, dispatcher, dispatchable, request, reply)
  }
}

/**
 * GET and DELETE without a session (in stateless mode, always): there is no stream to open and
 * no session to end (2025-11-25 basic/transports: 405 when no SSE stream is offered).
 */
export async function methodNotAllowed(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const hint = request.headers['mcp-session-id'] === undefined ? 'without an Mcp-Session-Id, ' : ''
  await reply
    .code(405)
    .header('allow', 'POST')
    .send(jsonRpcError(-32000, `Method not allowed: ${hint}this endpoint takes POST only`))
}
