import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { isUpstreamError } from '../src/errors/upstream-error.js'
import { readJson, upstreamFetch } from '../src/upstream/http.js'
import { MAX_UPSTREAM_BODY_BYTES } from '../src/upstream/read-capped-body.js'

describe('upstream bodies are read with a size cap', () => {
  let server: Server
  let base = ''
  let streamedBytes = 0

  before(async () => {
    server = createServer((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(5 * 1024 * 1024),
        })
        response.end()
        return
      }
      // No Content-Length: 64 KiB chunks until the client hangs up (or 8 MiB).
      response.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const push = (): void => {
        while (streamedBytes < 8 * 1024 * 1024 && !response.destroyed) {
          streamedBytes += chunk.length
          if (!response.write(chunk)) return void response.once('drain', push)
        }
        response.end()
      }
      push()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  test('a declared Content-Length above the cap is a bad response, refused before reading', async () => {
    const response = await upstreamFetch(`${base}/declared`, {}, { provider: 'idp' })
    await assert.rejects(readJson(response, 'idp'), (error: unknown) => {
      assert.ok(isUpstreamError(error))
      assert.match((error as Error).message, /larger than/)
      return true
    })
  })

  test('a streamed body past the cap is cut off as a bad response, not read to the end', async () => {
    const response = await upstreamFetch(`${base}/stream`, {}, { provider: 'idp' })
    await assert.rejects(readJson(response, 'idp'), /larger than 1048576 bytes/)
    assert.ok(MAX_UPSTREAM_BODY_BYTES === 1024 * 1024)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(
      streamedBytes < 8 * 1024 * 1024,
      `the server sent ${streamedBytes} bytes: the read stopped early`,
    )
  })
})
