import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

/** Events kept per session for a client that reconnects with `Last-Event-ID`. */
export const MAX_EVENTS_PER_SESSION = 64

/** Bytes of JSON kept per session; past it the oldest events go first (a larger one is not kept). */
export const MAX_EVENT_BYTES_PER_SESSION = 256 * 1024

/** How long a client waits before reconnecting a closed stream (the SSE `retry` field). */
export const SSE_RETRY_MS = 1000

interface StoredEvent {
  readonly id: string
  readonly streamId: string
  readonly message: JSONRPCMessage
  readonly bytes: number
}

/**
 * The event store of ONE MCP session (2025-11-25 basic/transports, "Resumability and
 * Redelivery"): a client whose stream broke reconnects with `Last-Event-ID` and gets the events
 * of that stream it missed. One store per session, so an event id replays nothing of another
 * session, and only the last {@link MAX_EVENTS_PER_SESSION} events (at most
 * {@link MAX_EVENT_BYTES_PER_SESSION}) are kept: memory stays bounded however long a session
 * lives. An id that fell out of the window, or was never ours, is refused by the transport (400).
 */
export class SessionEventStore implements EventStore {
  readonly #events: StoredEvent[] = []
  #bytes = 0
  #counter = 0

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    this.#counter += 1
    const id = `${this.#counter}`
    const bytes = JSON.stringify(message).length
    this.#events.push({ id, streamId, message, bytes })
    this.#bytes += bytes
    while (this.#events.length > MAX_EVENTS_PER_SESSION || this.#bytes > MAX_EVENT_BYTES_PER_SESSION) {
      this.#bytes -= this.#events.shift()?.bytes ?? 0
    }
    return id
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.#events.find((event) => event.id === eventId)?.streamId
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const index = this.#events.findIndex((event) => event.id === lastEventId)
    const last = this.#events[index]
    if (!last) return ''
    for (const event of this.#events.slice(index + 1)) {
      if (event.streamId === last.streamId) await send(event.id, event.message)
    }
    return last.streamId
  }
}
