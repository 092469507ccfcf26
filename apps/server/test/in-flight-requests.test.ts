import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { InFlightRequests } from '../src/stdio/in-flight-requests.js'

/** A transport that records what is sent; `receive` plays a message arriving from the client. */
function fakeTransport(): Transport & { sent: JSONRPCMessage[]; receive(message: JSONRPCMessage): void } {
  const sent: JSONRPCMessage[] = []
  const transport = {
    sent,
    start: async () => {},
    close: async () => {},
    send: async (message: JSONRPCMessage) => {
      sent.push(message)
    },
    onmessage: undefined as Transport['onmessage'],
    receive(message: JSONRPCMessage) {
      transport.onmessage?.(message)
    },
  }
  return transport
}

describe('the requests a stdio server is still answering', () => {
  test('drained() waits for the answer of every request received, not for notifications', async () => {
    const transport = fakeTransport()
    transport.onmessage = () => {}
    const inFlight = new InFlightRequests()
    inFlight.watch(transport)
    transport.receive({ jsonrpc: '2.0', method: 'notifications/initialized' })
    transport.receive({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } })
    let done = false
    const drained = inFlight.drained().then(() => {
      done = true
    })
    await transport.send({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 1, progress: 0 },
    })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(done, false, 'a notification answers nothing')
    await transport.send({ jsonrpc: '2.0', id: 7, result: { content: [] } })
    await drained
    assert.equal(done, true)
  })

  test('drained() gives up at its deadline when an answer never comes', async () => {
    const transport = fakeTransport()
    transport.onmessage = () => {}
    const inFlight = new InFlightRequests()
    inFlight.watch(transport)
    transport.receive({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow' } })
    const started = Date.now()
    await inFlight.drained(30)
    assert.ok(Date.now() - started >= 25)
  })
})
