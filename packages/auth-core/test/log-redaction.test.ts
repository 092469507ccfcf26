import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import Fastify from 'fastify'
import { mxcpRequestSerializer, redactUrl } from '../src/http/log-redaction.js'

describe('log redaction', () => {
  test('credential and single-use query values are redacted; other parameters stay', () => {
    assert.equal(
      redactUrl('/github/callback?code=abc&state=xyz'),
      '/github/callback?code=%5Bredacted%5D&state=%5Bredacted%5D',
    )
    assert.equal(redactUrl('/mcp?access_token=mxcp_at_1&x=1'), '/mcp?access_token=%5Bredacted%5D&x=1')
    assert.equal(
      redactUrl('/authorize?client_id=abc&scope=mxcp%3Aaccess'),
      '/authorize?client_id=abc&scope=mxcp%3Aaccess',
    )
    assert.equal(redactUrl('/plain'), '/plain')
  })

  test('as the app logger request serializer, no token in the query string reaches the log', async () => {
    const lines: string[] = []
    const app = Fastify({
      logger: {
        level: 'info',
        stream: { write: (line: string) => lines.push(line) },
        serializers: { req: mxcpRequestSerializer },
      },
    })
    app.get('/mcp', async () => ({}))
    await app.inject({ method: 'GET', url: '/mcp?access_token=mxcp_at_secret' })
    await app.close()
    assert.ok(lines.some((line) => line.includes('incoming request')))
    assert.equal(lines.filter((line) => line.includes('mxcp_at_secret')).length, 0)
  })
})
