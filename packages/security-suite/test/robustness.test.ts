import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import {
  AttackHarness,
  CLIENT_REDIRECT,
  contentType,
  formBody,
  headerValue,
  hostileBody,
  hostileQuery,
  hostileString,
  parameterName,
  type RegisteredClient,
} from '../src/index.js'

/**
 * Robustness (ARCHITECTURE invariant 6; RFC 6819 §4.4.1.11 resource exhaustion): every endpoint,
 * fed random and malformed input by a property-based fuzzer, answers 4xx (or 2xx/3xx), never 5xx,
 * and the process never crashes. Each property is bounded by a number of runs and a time limit;
 * about 3,200 cases in all.
 */

/** Each property stops after this long, whatever it has reached (still asserting what ran). */
const TIME_LIMIT_MS = 20_000
const GET_PATHS = [
  '/authorize',
  '/github/callback',
  '/consent',
  '/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
]
const POST_PATHS = ['/token', '/register', '/revoke', '/consent', '/mcp', '/authorize', '/github/callback']

function runs(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] }
}

describe('robustness', () => {
  let h: AttackHarness
  let client: RegisteredClient
  const crashes: unknown[] = []
  const onCrash = (error: unknown): void => {
    crashes.push(error)
  }

  before(async () => {
    process.on('uncaughtException', onCrash)
    process.on('unhandledRejection', onCrash)
    h = await AttackHarness.start()
    client = await h.register()
  })
  after(async () => {
    process.off('uncaughtException', onCrash)
    process.off('unhandledRejection', onCrash)
    await h.close()
  })

  function no5xx(response: LightMyRequestResponse, what: string): void {
    assert.ok(
      response.statusCode < 500,
      `${what} answered ${response.statusCode}: ${response.body.slice(0, 300)}`,
    )
  }

  test('random query strings on every GET endpoint never get a 5xx', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GET_PATHS), hostileQuery, async (path, query) => {
        no5xx(await h.inject('GET', `${path}?${query}`), `GET ${path}?${query.slice(0, 200)}`)
      }),
      runs(700),
    )
  })

  test('random bodies of every content type on every POST endpoint never get a 5xx', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_PATHS),
        contentType,
        hostileBody,
        fc.option(hostileQuery, { nil: undefined }),
        async (path, type, body, query) => {
          const url = query === undefined ? path : `${path}?${query}`
          const response = await h.inject('POST', url, {
            headers: type === undefined ? {} : { 'content-type': type },
            payload: body,
          })
          no5xx(response, `POST ${path} (${type})`)
        },
      ),
      runs(800),
    )
  })

  test('random Authorization, Cookie and forwarding headers never get a 5xx', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'GET /mcp',
          'POST /mcp',
          'POST /token',
          'POST /revoke',
          'POST /consent',
          'GET /github/callback',
        ),
        headerValue,
        headerValue,
        headerValue,
        async (route, authorization, cookie, forwarded) => {
          const [method, path] = route.split(' ') as ['GET' | 'POST', string]
          const response = await h.inject(method, `${path}?state=${encodeURIComponent(forwarded)}`, {
            headers: {
              authorization,
              cookie,
              'x-forwarded-host': forwarded,
              'x-forwarded-proto': forwarded,
              ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            },
            ...(method === 'POST'
              ? { payload: formBody({ client_id: client.clientId, token: forwarded }) }
              : {}),
          })
          no5xx(response, `${route} with hostile headers`)
        },
      ),
      runs(400),
    )
  })

  test('valid requests with one parameter mutated never get a 5xx', { timeout: 60_000 }, async () => {
    // Live material to mutate: a consent form of one browser, and a fresh code.
    const visitor = h.visitor()
    const request = h.authorizeUrl(client.clientId)
    const { fields: consent } = await h.openConsent(visitor, request)
    const login = await h.login(client.clientId)
    const authorize = Object.fromEntries(request.url.searchParams)
    const token = {
      grant_type: 'authorization_code',
      code: login.code,
      code_verifier: login.verifier,
      redirect_uri: CLIENT_REDIRECT,
      client_id: client.clientId,
      resource: h.resource,
    }
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), name: parameterName, value: hostileString }),
      fc.record({ kind: fc.constant('drop' as const), name: parameterName }),
      fc.record({ kind: fc.constant('repeat' as const), name: parameterName, value: hostileString }),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('authorize', 'consent', 'token'), mutation, async (target, change) => {
        const base: Record<string, string> = { ...{ authorize, consent, token }[target] }
        if (change.kind === 'drop') delete base[change.name]
        if (change.kind === 'set') base[change.name] = change.value
        let encoded = formBody(base)
        if (change.kind === 'repeat')
          encoded += `&${encodeURIComponent(change.name)}=${encodeURIComponent(change.value.replace(/[\uD800-\uDFFF]/g, ''))}`
        const response =
          target === 'authorize'
            ? await visitor.get(`/authorize?${encoded}`)
            : await visitor.request({
                method: 'POST',
                url: target === 'consent' ? '/consent' : '/token',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                payload: encoded,
              })
        no5xx(response, `${target} with ${change.kind} ${change.name}`)
      }),
      runs(700),
    )
  })

  test('random methods and paths never get a 5xx', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD' as const),
        fc.oneof(
          fc.constantFrom(...GET_PATHS, ...POST_PATHS),
          hostileString.map((path) => `/${encodeURI(path.replace(/[\uD800-\uDFFF]/g, ''))}`),
        ),
        async (method, path) => {
          no5xx(
            await h.inject(method, path, { headers: { origin: 'https://evil.example' } }),
            `${method} ${path.slice(0, 100)}`,
          )
        },
      ),
      runs(300),
    )
  })

  test('the process never crashed and the server still answers its metadata', async () => {
    assert.deepEqual(crashes, [])
    const response = await h.inject('GET', '/.well-known/oauth-authorization-server')
    assert.equal(response.statusCode, 200)
    assert.equal(response.json<Record<string, unknown>>()['issuer'], h.base)
    // And a whole login still works after the storm.
    const tokens = await h.issue(client)
    assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
  })
})

describe('robustness without a configured base URL', () => {
  test('random Host and forwarding headers never get a 5xx when URLs come from the request', {
    timeout: 60_000,
  }, async () => {
    const h = await AttackHarness.start({ listen: true })
    try {
      const client = await h.register()
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...GET_PATHS, '/token', '/register'),
          headerValue,
          async (path, host) => {
            const method = path === '/token' || path === '/register' ? 'POST' : 'GET'
            const response = await h.app.inject({
              method,
              url:
                path === '/authorize'
                  ? h.authorizeUrl(client.clientId).url.pathname + h.authorizeUrl(client.clientId).url.search
                  : path,
              headers: {
                host,
                'x-forwarded-host': host,
                'content-type': 'application/x-www-form-urlencoded',
              },
              ...(method === 'POST' ? { payload: 'grant_type=x' } : {}),
            })
            assert.ok(
              response.statusCode < 500,
              `${path} with Host ${JSON.stringify(host)}: ${response.statusCode}`,
            )
          },
        ),
        runs(300),
      )
      const metadata = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
      assert.equal(metadata.statusCode, 200)
    } finally {
      await h.close()
    }
  })
})
