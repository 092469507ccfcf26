import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { isJSONRPCRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js'

/** How long a stopping stdio server waits for the requests it is answering. */
export const DRAIN_DEADLINE_MS = 10_000

/**
 * Counts the requests a transport has received and not yet answered, so that a stdio server
 * whose input ends (`echo '…' | mxcp serve --transport stdio`) still writes its last answers
 * before it stops. Call {@link watch} after `server.connect(transport)`: it wraps the handlers
 * the server installed.
 */
export class InFlightRequests {
  readonly #pending = new Set<RequestId>()
  #idle: (() => void)[] = []

  watch(transport: Transport): void {
    const receive = transport.onmessage
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) this.#pending.add(message.id)
      receive?.(message, extra)
    }
    const send = transport.send.bind(transport)
    transport.send = async (message: JSONRPCMessage, options) => {
      try {
        await send(message, options)
      } finally {
        if (('result' in message || 'error' in message) && 'id' in message && message.id !== undefined) {
          this.#pending.delete(message.id)
          if (this.#pending.size === 0) for (const resolve of this.#idle.splice(0)) resolve()
        }
      }
    }
  }

  /** Resolves once every request received so far is answered, or after `deadlineMs`. */
  drained(deadlineMs = DRAIN_DEADLINE_MS): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, deadlineMs)
      this.#idle.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}
