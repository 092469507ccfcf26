import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { postMcp } from './helpers/json-rpc.js'
import { resultJson } from './helpers/mcp-client.js'
import { type ServedWithGitHub, serveWithGitHub, signInAdaThenGrace } from './helpers/served-github.js'

describe('MCP sessions (the default, as in MXCP): bound to their user, the token checked on every request', () => {
  let running: ServedWithGitHub
  let adaClient: Client
  let adaTransport: StreamableHTTPClientTransport
  let adaToken: string
  let graceToken: string

  before(async () => {
    running = await serveWithGitHub()
    const signedIn = await signInAdaThenGrace(running)
    const ada = signedIn.ada
    adaToken = ada.tokens()?.access_token ?? ''
    graceToken = signedIn.graceToken
    adaClient = new Client({ name: 'ada', version: '1' })
    adaTransport = new StreamableHTTPClientTransport(new URL(running.url), { authProvider: ada })
    await adaClient.connect(adaTransport)
  })
  after(async () => {
    await adaClient?.close()
    await running?.close()
  })

  test('initialize opens a session, and calls in it run as the user who opened it', async () => {
    assert.match(adaTransport.sessionId ?? '', /^[0-9a-f-]{36}$/)
    const me = resultJson(await adaClient.callTool({ name: 'whoami', arguments: {} }))
    assert.deepEqual(me, {
      username: 'ada',
      email: 'ada@example.com',
      provider: 'github',
      employee: 'Ada Lovelace',
    })
  })

  test("another user's token on the session gets 404: to anyone else the session does not exist", async () => {
    const session = adaTransport.sessionId ?? ''
    const response = await postMcp(
      running.url,
      'tools/list',
      {},
      {
        authorization: `Bearer ${graceToken}`,
        'mcp-session-id': session,
      },
    )
    assert.equal(response.status, 404)
    assert.deepEqual((response.body as { error?: unknown }).error, {
      code: -32001,
      message: 'Session not found',
    })
    const ending = await fetch(running.url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${graceToken}`, 'mcp-session-id': session },
    })
    assert.equal(ending.status, 404, 'nor can another user end it')
    const me = resultJson(await adaClient.callTool({ name: 'whoami', arguments: {} }))
    assert.equal((me as { username: string }).username, 'ada', "ada's session still works")
  })

  test('the session id alone is not authentication: without the token the request gets 401', async () => {
    const response = await postMcp(
      running.url,
      'tools/list',
      {},
      { 'mcp-session-id': adaTransport.sessionId ?? '' },
    )
    assert.equal(response.status, 401)
  })

  test('a request that neither names a session nor opens one is answered on its own, as the same guarded user', async () => {
    const response = await postMcp(
      running.url,
      'tools/call',
      { name: 'whoami', arguments: {} },
      { authorization: `Bearer ${adaToken}` },
    )
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('mcp-session-id'), null, 'no session was opened')
    assert.equal(
      (resultJson((response.body as { result: unknown }).result) as { username: string }).username,
      'ada',
    )
    const anonymous = await postMcp(running.url, 'tools/list')
    assert.equal(anonymous.status, 401, 'the guard still runs first')
  })

  test('GET and DELETE without a session id get 405: there is no stream or session to act on', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(running.url, {
        method,
        headers: { accept: 'text/event-stream', authorization: `Bearer ${adaToken}` },
      })
      assert.equal(response.status, 405, method)
    }
  })

  test('DELETE ends the session; its id is unknown afterwards', async () => {
    const extra = new Client({ name: 'ada-2', version: '1' })
    const transport = new StreamableHTTPClientTransport(new URL(running.url), {
      requestInit: { headers: { authorization: `Bearer ${adaToken}` } },
    })
    await extra.connect(transport)
    const session = transport.sessionId ?? ''
    await transport.terminateSession()
    await extra.close()
    const response = await postMcp(
      running.url,
      'tools/list',
      {},
      {
        authorization: `Bearer ${adaToken}`,
        'mcp-session-id': session,
      },
    )
    assert.equal(response.status, 404)
  })

  test('closing the server ends the open sessions and their event streams instead of waiting for them', async () => {
    assert.ok(adaTransport.sessionId, "ada's session is still open, with its GET event stream")
    await running.close()
    await assert.rejects(fetch(running.url, { method: 'POST' }))
  })
})
