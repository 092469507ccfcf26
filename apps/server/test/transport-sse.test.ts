import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { resultJson } from './helpers/mcp-client.js'
import { type ServedExample, serveExample } from './helpers/served-example.js'
import { type ServedWithGitHub, serveWithGitHub, signInAdaThenGrace } from './helpers/served-github.js'

describe('the legacy HTTP+SSE transport (--transport sse): GET /sse and POST /messages behind the same guard', () => {
  let running: ServedWithGitHub
  let client: Client
  let transport: SSEClientTransport
  let graceToken: string
  /** The URLs the client posted its messages to (`/messages?sessionId=…`). */
  const posted: URL[] = []

  before(async () => {
    running = await serveWithGitHub({ transport: 'sse' })
    // The SDK's auth() finds everything from the /sse URL: its 401, the protected resource
    // metadata, the authorization server, registration, consent, the upstream login, the token.
    const { ada, graceToken: grace } = await signInAdaThenGrace(running)
    graceToken = grace
    client = new Client({ name: 'legacy-sse', version: '1.0.0' })
    transport = new SSEClientTransport(new URL(running.url), {
      authProvider: ada,
      fetch: (url, init) => {
        if (init?.method === 'POST') posted.push(new URL(String(url)))
        return fetch(url, init)
      },
    })
    await client.connect(transport)
  })
  after(async () => {
    await client?.close()
    await running?.close()
  })

  test('the server announces /sse, and without a token the stream is refused with the discovery challenge', async () => {
    assert.equal(new URL(running.url).pathname, '/sse')
    const response = await fetch(running.url, { headers: { accept: 'text/event-stream' } })
    assert.equal(response.status, 401)
    const challenge = response.headers.get('www-authenticate') ?? ''
    assert.match(challenge, /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/sse"/)
    const metadata = (await (
      await fetch(new URL('/.well-known/oauth-protected-resource/sse', running.url))
    ).json()) as { resource?: string }
    assert.equal(metadata.resource, running.url)
  })

  test('after the OAuth login through discovery, a tool call on the stream runs as the signed-in user', async () => {
    const me = resultJson(await client.callTool({ name: 'whoami', arguments: {} }))
    assert.deepEqual(me, {
      username: 'ada',
      email: 'ada@example.com',
      provider: 'github',
      employee: 'Ada Lovelace',
    })
    assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'employees_by_department'))
  })

  test("another user's token cannot post to the stream (404), and a message without a token gets 401", async () => {
    const messages = posted.at(-1)
    if (!messages) throw new Error('the client posted nothing')
    assert.ok(messages.searchParams.get('sessionId'), 'the client posts to the stream the server named')
    assert.equal(messages.pathname, '/messages')
    const body = JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list', params: {} })
    const headers = { 'content-type': 'application/json' }
    const foreign = await fetch(messages, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${graceToken}` },
      body,
    })
    assert.equal(foreign.status, 404)
    assert.equal(
      ((await foreign.json()) as { error?: { message?: string } }).error?.message,
      'Session not found',
    )
    const anonymous = await fetch(messages, { method: 'POST', headers, body })
    assert.equal(anonymous.status, 401)
  })

  test('a foreign Origin is refused on /sse as on /mcp (DNS rebinding protection)', async () => {
    const response = await fetch(running.url, { headers: { origin: 'https://evil.example' } })
    assert.equal(response.status, 403)
  })
})

describe('legacy SSE streams have the caps of MCP sessions', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample({ transport: 'sse', sessionLimits: { maxSessions: 2, maxPerUser: 1 } })
  })
  after(() => running?.close())

  test('without authentication the streams share the overall cap: the oldest is closed to make room, none is refused', async () => {
    const open = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
      const response = await fetch(running.url, { headers: { accept: 'text/event-stream' } })
      assert.equal(response.status, 200)
      const reader = response.body?.getReader()
      if (!reader) throw new Error('no stream')
      const first = new TextDecoder().decode((await reader.read()).value)
      assert.match(first, /event: endpoint\ndata: \/messages\?sessionId=/)
      return reader
    }
    const oldest = await open()
    const second = await open()
    const third = await open()
    assert.equal((await oldest.read()).done, true, 'the oldest stream was ended')
    await second.cancel()
    await third.cancel()
  })
})
