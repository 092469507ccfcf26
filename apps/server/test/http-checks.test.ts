import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { isLoopbackOrigin } from '../src/http/request-checks.js'
import { loggableUrl } from '../src/logging/create-logger.js'
import { copyExampleProject, writeFiles } from './helpers/example-project.js'
import { startInProcess } from './helpers/in-process-server.js'
import { postMcp } from './helpers/json-rpc.js'
import { type ServedExample, serveExample } from './helpers/served-example.js'

describe('the HTTP rules of the MCP endpoint (requests outside a session, in the default session mode)', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample()
  })
  after(() => running?.close())

  test('a foreign Origin gets 403 before anything runs (DNS rebinding protection)', async () => {
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example:8000', 'null']) {
      const response = await postMcp(running.url, 'tools/list', {}, { origin })
      assert.equal(response.status, 403, origin)
      assert.deepEqual(response.body, {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Forbidden: Origin not allowed' },
        id: null,
      })
    }
  })

  test("the server's own origin, loopback origins and no Origin at all are served", async () => {
    const own = new URL(running.url).origin
    for (const origin of [own, 'http://localhost:6274', 'http://[::1]:3000', undefined]) {
      const response = await postMcp(running.url, 'tools/list', {}, origin ? { origin } : {})
      assert.equal(response.status, 200, String(origin))
    }
  })

  test('a loopback page gets CORS: the preflight is answered, and the answer names its origin', async () => {
    const origin = 'http://localhost:6274'
    const preflight = await fetch(running.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    })
    assert.equal(preflight.status, 204)
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin)
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/)
    const answer = await postMcp(running.url, 'tools/list', {}, { origin })
    assert.equal(answer.headers.get('access-control-allow-origin'), origin)
    assert.match(answer.headers.get('access-control-expose-headers') ?? '', /mcp-session-id/)

    const foreign = await fetch(running.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    })
    assert.equal(foreign.status, 403)
    assert.equal(foreign.headers.get('access-control-allow-origin'), null)
  })

  test('an unsupported MCP-Protocol-Version gets 400; a supported one is served', async () => {
    const refused = await postMcp(running.url, 'tools/list', {}, { 'mcp-protocol-version': '1999-01-01' })
    assert.equal(refused.status, 400)
    assert.match(JSON.stringify(refused.body), /Unsupported protocol version/)
    const served = await postMcp(
      running.url,
      'tools/list',
      {},
      { 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
    )
    assert.equal(served.status, 200)
  })

  test('GET and DELETE without a session get 405 with Allow: POST', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(running.url, { method, headers: { accept: 'text/event-stream' } })
      assert.equal(response.status, 405, method)
      assert.equal(response.headers.get('allow'), 'POST')
    }
  })

  test('a body that is not JSON-RPC gets a JSON-RPC error, not a crash; the server keeps serving', async () => {
    const garbage = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ hello: 'world' }),
    })
    assert.equal(garbage.status, 400)
    assert.equal(((await garbage.json()) as { jsonrpc?: string }).jsonrpc, '2.0')
    const broken = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":',
    })
    assert.equal(broken.status, 400)
    assert.equal(((await broken.json()) as { error?: { code?: number } }).error?.code, -32700)
    assert.equal((await postMcp(running.url, 'tools/list')).status, 200)
  })

  test('a body over the limit is refused with 413', async () => {
    const response = await postMcp(running.url, 'tools/call', {
      name: 'execute_sql_query',
      arguments: { sql: `SELECT '${'x'.repeat(1024 * 1024)}'` },
    })
    assert.equal(response.status, 413)
    assert.match(JSON.stringify(response.body), /"jsonrpc":"2.0"/)
  })
})

describe('stateless mode (--stateless, transport.http.stateless: true)', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample({ stateless: true })
  })
  after(() => running?.close())

  test('initialize opens no session, every request is answered on its own, GET and DELETE get 405', async () => {
    const initialized = await postMcp(running.url, 'initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'stateless', version: '1' },
    })
    assert.equal(initialized.status, 200)
    assert.equal(initialized.headers.get('mcp-session-id'), null)
    assert.equal((await postMcp(running.url, 'tools/list')).status, 200)
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(running.url, { method, headers: { accept: 'text/event-stream' } })
      assert.equal(response.status, 405, method)
    }
  })
})

describe('start-up', () => {
  test('the stdio transport is never served over HTTP: createMxcpServer refuses it', async () => {
    const project = copyExampleProject()
    try {
      const config = writeFiles(project.path, {
        'stdio.yml':
          'mxcp: 1\nprojects:\n  demo:\n    profiles:\n      default: {}\ntransport:\n  provider: stdio\n',
      })
      await assert.rejects(
        startInProcess({ projectDir: project.path, userConfigPath: `${config}/stdio.yml` }),
        /transport\.provider: "stdio" is not supported: this server speaks streamable-http and sse over HTTP/,
      )
    } finally {
      project.dispose()
    }
  })
})

describe('log lines', () => {
  test('a request URL is logged with its query values replaced (codes and states travel there)', () => {
    assert.equal(
      loggableUrl('/github/callback?code=gh-code-1&state=s-2&state=s-3'),
      '/github/callback?code=[redacted]&state=[redacted]',
    )
    assert.equal(loggableUrl('/mcp'), '/mcp')
  })

  test('only http(s) pages on localhost, 127.0.0.1 or [::1] count as loopback origins', () => {
    assert.equal(isLoopbackOrigin('http://localhost:6274'), true)
    assert.equal(isLoopbackOrigin('https://127.0.0.1'), true)
    assert.equal(isLoopbackOrigin('http://localhost.evil.example'), false)
    assert.equal(isLoopbackOrigin('file://localhost/x'), false)
    assert.equal(isLoopbackOrigin('null'), false)
  })
})
