import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { UpstreamResponseError } from '../src/index.js'
import { MAX_UPSTREAM_BODY_BYTES, readCappedText } from '../src/upstream/read-capped-body.js'
import { upstreamTransport } from '../src/upstream/upstream-transport.js'

/** What the last request looked like when it reached the server. */
let seen: { method: string; headers: IncomingMessage['headers']; body: string } | undefined
let server: Server
let origin: string

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      seen = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() }
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/elsewhere' })
        return res.end()
      }
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(Buffer.alloc(MAX_UPSTREAM_BODY_BYTES, 'a'))
        return res.end(Buffer.alloc(1024, 'a'))
      }
      if (req.url === '/stalls') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
        return res.write('{"partial":')
      }
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] })
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => {
  server.closeAllConnections()
  server.close()
})

describe('the transport of upstream calls answers as fetch would', () => {
  test('a form POST goes with the content type and default headers fetch adds; the answer keeps its status, headers and body', async () => {
    const response = await upstreamTransport(`${origin}/token`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ code: 'c', grant_type: 'authorization_code' }),
      redirect: 'manual',
    })
    assert.equal(seen?.method, 'POST')
    assert.equal(seen?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8')
    assert.equal(seen?.headers['accept'], 'application/json')
    assert.equal(seen?.headers['user-agent'], 'node')
    assert.equal(seen?.body, 'code=c&grant_type=authorization_code')
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/json')
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2'])
    assert.deepEqual(await response.json(), { ok: true })
  })

  test('a redirect is handed over, never followed', async () => {
    const response = await upstreamTransport(`${origin}/moved`, { redirect: 'manual' })
    assert.equal(response.status, 302)
    assert.equal(response.headers.get('location'), '/elsewhere')
    assert.equal(seen?.method, 'GET')
  })

  test('a body past the cap is cut short, still past it: readCappedText refuses it as a bad response', async () => {
    const response = await upstreamTransport(`${origin}/huge`, { redirect: 'manual' })
    await assert.rejects(readCappedText(response, 'github'), (error: unknown) => {
      assert.ok(error instanceof UpstreamResponseError)
      assert.match(error.message, /larger than 1048576 bytes/)
      return true
    })
  })

  test('a body that stalls fails when the deadline passes, as a timeout', async () => {
    await assert.rejects(
      upstreamTransport(`${origin}/stalls`, { redirect: 'manual', signal: AbortSignal.timeout(200) }),
      (error: unknown) => error instanceof Error && error.name === 'TimeoutError',
    )
  })
})
