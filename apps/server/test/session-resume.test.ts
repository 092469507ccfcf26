import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  MAX_EVENT_BYTES_PER_SESSION,
  MAX_EVENTS_PER_SESSION,
  SessionEventStore,
} from '../src/http/session-event-store.js'
import { type ServedExample, serveExample } from './helpers/served-example.js'

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
}

interface SseEvent {
  readonly id: string | undefined
  readonly data: string
}

function parseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n')
      const id = lines.find((line) => line.startsWith('id: '))?.slice(4)
      const data = lines
        .filter((line) => line.startsWith('data: ') || line === 'data:')
        .map((line) => line.replace(/^data: ?/, ''))
        .join('\n')
      return { id, data }
    })
}

/** Opens a session with `initialize` + `initialized`; returns its id. */
async function openSession(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'resume', version: '1' },
      },
    }),
  })
  const session = response.headers.get('mcp-session-id') ?? ''
  await response.text()
  await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  })
  return session
}

/** Reads an event stream until `done` holds for what arrived, then drops the connection. */
async function readUntil(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body?.getReader()
  if (!reader) throw new Error('no body')
  const decoder = new TextDecoder()
  let text = ''
  while (!done(text)) {
    const { value, done: ended } = await reader.read()
    if (ended) break
    text += decoder.decode(value, { stream: true })
  }
  await reader.cancel()
  return text
}

describe('resumable session streams (Last-Event-ID, one bounded event store per session)', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample()
  })
  after(() => running?.close())

  test('a client that lost a tool call stream gets the result again by reconnecting with Last-Event-ID; another session cannot', async () => {
    const session = await openSession(running.url)
    const call = await fetch(running.url, {
      method: 'POST',
      headers: { ...HEADERS, 'mcp-session-id': session },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'whoami', arguments: {} },
      }),
    })
    const events = parseEvents(await call.text())
    const [priming] = events
    assert.ok(priming?.id, 'the stream starts with a priming event carrying an id')
    assert.equal(priming.data, '')
    assert.ok(
      events.some((event) => event.data.includes('"id":7')),
      'the result came on the stream',
    )

    const resumed = await fetch(running.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': session, 'last-event-id': priming.id },
    })
    assert.equal(resumed.status, 200)
    const replayed = await readUntil(resumed, (text) => text.includes('"id":7'))
    assert.match(replayed, /"result":\{"content".*"id":7\}/)

    const stranger = await openSession(running.url)
    const foreign = await fetch(running.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': stranger, 'last-event-id': priming.id },
    })
    assert.equal(foreign.status, 400, 'an event id of another session replays nothing')
    await foreign.text()
  })
})

describe('the event store of one session', () => {
  const message = (id: number, size = 10) => ({
    jsonrpc: '2.0' as const,
    id,
    result: { text: 'x'.repeat(size) },
  })

  test('replays only the events after the given one, of the same stream', async () => {
    const store = new SessionEventStore()
    const first = await store.storeEvent('a', message(1))
    await store.storeEvent('b', message(2))
    const third = await store.storeEvent('a', message(3))
    const sent: string[] = []
    const stream = await store.replayEventsAfter(first, {
      send: async (id) => {
        sent.push(id)
      },
    })
    assert.equal(stream, 'a')
    assert.deepEqual(sent, [third])
    assert.equal(await store.getStreamIdForEventId('no-such-id'), undefined)
  })

  test(`keeps at most ${MAX_EVENTS_PER_SESSION} events and about ${MAX_EVENT_BYTES_PER_SESSION} bytes: the oldest go first`, async () => {
    const store = new SessionEventStore()
    const first = await store.storeEvent('a', message(0))
    for (let i = 1; i <= MAX_EVENTS_PER_SESSION; i += 1) await store.storeEvent('a', message(i))
    assert.equal(await store.getStreamIdForEventId(first), undefined, 'the oldest fell out of the window')
    const big = new SessionEventStore()
    const small = await big.storeEvent('a', message(1))
    const large = await big.storeEvent('a', message(2, MAX_EVENT_BYTES_PER_SESSION / 2))
    const larger = await big.storeEvent('a', message(3, MAX_EVENT_BYTES_PER_SESSION / 2))
    assert.equal(await big.getStreamIdForEventId(small), undefined, 'the oldest went first')
    assert.equal(await big.getStreamIdForEventId(large), undefined)
    assert.equal(await big.getStreamIdForEventId(larger), 'a')
    const huge = await big.storeEvent('a', message(4, MAX_EVENT_BYTES_PER_SESSION))
    assert.equal(
      await big.getStreamIdForEventId(huge),
      undefined,
      'an event over the whole window is not kept',
    )
  })
})
