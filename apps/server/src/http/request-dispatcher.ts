import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCRequest,
  JSONRPCResultResponse,
  MessageExtraInfo,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js'

/** The answer to one dispatched request. */
export type DispatchedAnswer = JSONRPCResultResponse | JSONRPCErrorResponse

/** A request handed to the server, and the way to take it back. */
export interface Dispatched {
  readonly answer: Promise<DispatchedAnswer>
  /** Its HTTP response closed before the answer: abort its handler (its signal), nobody else's. */
  cancel(): void
}

interface Pending<T> {
  /** The id the client gave it. */
  readonly clientId: RequestId
  /** What else belongs to this request alone (its logger). */
  readonly tag: T
  readonly resolve: (answer: DispatchedAnswer) => void
}

/**
 * The transport of one MCP server that answers many stateless HTTP requests at once. Each
 * request enters under an id of its own (two clients may both send id 1, and the server keys
 * a request's handler, abort signal and answer by id), and its answer leaves under the
 * client's id again, to that request only. The caller travels with each message
 * (`extra.authInfo`), never with the server.
 *
 * A stateless request answers with JSON: like the SDK's transport in that mode, anything else
 * the server sends during a request (log, progress, requests to the client) goes nowhere.
 */
export class RequestDispatcher<T> implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void

  /** From 1: the server ignores a cancellation of request id 0. */
  #lastId = 0
  readonly #pending = new Map<number, Pending<T>>()

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.()
  }

  async send(message: JSONRPCMessage): Promise<void> {
    // The server's own messages are well formed: an answer is what has no method. (The SDK's
    // checks validate the whole message, result included, against its schema.)
    if ('method' in message || !('id' in message)) return
    const id = message.id
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined
    if (pending === undefined || typeof id !== 'number') return
    this.#pending.delete(id)
    pending.resolve({ ...message, id: pending.clientId })
  }

  /** The tag of a request being answered, by the id the server knows it by. */
  tagOf(id: RequestId): T | undefined {
    return typeof id === 'number' ? this.#pending.get(id)?.tag : undefined
  }

  /** Hands one request to the server, with what the handlers read of its HTTP request. */
  dispatch(request: JSONRPCRequest, extra: MessageExtraInfo, tag: T): Dispatched {
    this.#lastId += 1
    const id = this.#lastId
    const answer = new Promise<DispatchedAnswer>((resolve) => {
      this.#pending.set(id, { clientId: request.id, tag, resolve })
    })
    this.onmessage?.({ ...request, id }, extra)
    return {
      answer,
      cancel: () => {
        if (!this.#pending.delete(id)) return
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } })
      },
    }
  }
}
