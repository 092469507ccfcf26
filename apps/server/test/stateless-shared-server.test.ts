import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ANONYMOUS_USER, type UserContext } from '@mxcp/auth-core'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { mcpRoutes } from '../src/http/mcp-routes.js'
import type { CallContext, Catalog } from '../src/mcp/served-items.js'
import { postMcp } from './helpers/json-rpc.js'

/** The caller each request names in `x-caller` (the guard of these tests), and how long its call takes. */
const users = new WeakMap<FastifyRequest, UserContext>()

function userNamed(name: string): UserContext {
  return { ...ANONYMOUS_USER, userId: `id-${name}`, username: name, provider: 'github', anonymous: false }
}

/** A tool that answers, after `delayMs`, who called it and which request's logger it was given. */
function whoamiCatalog(calls: { name: string; reqId: unknown }[]): Catalog {
  return {
    tools: new Map([
      [
        'whoami',
        {
          listing: { name: 'whoami', inputSchema: { type: 'object' } },
          async call(args: Record<string, unknown> | undefined, context: CallContext) {
            await sleep(Number(args?.['delayMs'] ?? 0))
            const reqId = (context.log as unknown as { bindings(): Record<string, unknown> }).bindings()[
              'reqId'
            ]
            calls.push({ name: context.user.username, reqId })
            return {
              content: [{ type: 'text', text: JSON.stringify({ user: context.user.username, reqId }) }],
            }
          },
        },
      ],
    ]),
    resources: [],
    prompts: new Map(),
  }
}

async function callWhoami(
  url: string,
  caller: string,
  id: number,
  delayMs: number,
  signal?: AbortSignal,
): Promise<{ status: number; body: { id?: unknown; result?: { content: { text: string }[] } } }> {
  const answer = await postMcp(
    url,
    'tools/call',
    { name: 'whoami', arguments: { delayMs } },
    { 'x-caller': caller },
    { id, ...(signal && { signal }) },
  )
  return { status: answer.status, body: answer.body as never }
}

/** The routes in stateless mode, the caller of each request named by its `x-caller` header. */
async function registerWhoami(
  app: FastifyInstance,
  calls: { name: string; reqId: unknown }[],
): Promise<void> {
  await app.register(mcpRoutes, {
    stateless: true,
    catalog: whoamiCatalog(calls),
    identity: { name: 'test', version: '1' },
    ownOrigins: () => new Set(),
    userOf: (request) => users.get(request) ?? ANONYMOUS_USER,
    guard: async (request) => {
      const name = request.headers['x-caller']
      if (typeof name === 'string') users.set(request, userNamed(name))
    },
  })
}

describe('stateless mode: one MCP server shared by requests keeps each request its own', () => {
  let app: FastifyInstance
  let url: string
  const calls: { name: string; reqId: unknown }[] = []

  before(async () => {
    app = Fastify({ logger: { level: 'silent' } })
    await registerWhoami(app, calls)
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/mcp`
  })
  after(async () => app.close())

  test('concurrent calls with the same JSON-RPC id from 20 callers: each answer carries its own id and caller', async () => {
    calls.length = 0
    const callers = Array.from({ length: 20 }, (_, i) => `user${i}`)
    const answers = await Promise.all(callers.map((caller, i) => callWhoami(url, caller, 7, (i * 7) % 20)))
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, 200)
      assert.equal(answer.body.id, 7)
      const seen = JSON.parse(answer.body.result?.content[0]?.text ?? '{}') as {
        user: string
        reqId: unknown
      }
      assert.equal(seen.user, callers[i], 'the caller of this request, not of another')
      assert.equal(typeof seen.reqId, 'string', "the tool logs with its own request's logger")
    }
    const reqIds = new Set(calls.map((call) => call.reqId))
    assert.equal(reqIds.size, callers.length, 'every call had the logger of its own request')
  })

  test("a client that goes away does not take another request's answer (same id) with it", async () => {
    const gone = new AbortController()
    const abandoned = callWhoami(url, 'mallory', 1, 200, gone.signal).catch((error: unknown) => error)
    const kept = callWhoami(url, 'ada', 1, 300)
    await sleep(50)
    gone.abort()
    assert.ok((await abandoned) instanceof Error)
    const answer = await kept
    assert.equal(answer.status, 200)
    assert.equal(answer.body.id, 1)
    assert.equal(JSON.parse(answer.body.result?.content[0]?.text ?? '{}').user, 'ada')
    // And the server goes on answering afterwards.
    const next = await callWhoami(url, 'bob', 1, 0)
    assert.equal(JSON.parse(next.body.result?.content[0]?.text ?? '{}').user, 'bob')
  })
})

describe('stateless mode answers requests made in process (app.inject, no headersDistinct)', () => {
  test('tools/call through inject: 200 and the answer of the shared server, with repeated headers joined', async () => {
    const app = Fastify({ logger: { level: 'silent' } })
    await registerWhoami(app, [])
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/mcp',
        headers: {
          'content-type': 'application/json',
          accept: ['application/json', 'text/event-stream'],
          'mcp-protocol-version': '2025-06-18',
          'x-caller': 'ada',
        },
        payload: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      })
      assert.equal(response.statusCode, 200)
      const body = response.json() as { id: number; result: { content: { text: string }[] } }
      assert.equal(body.id, 3)
      assert.equal(JSON.parse(body.result.content[0]?.text ?? '{}').user, 'ada')
    } finally {
      await app.close()
    }
  })
})
