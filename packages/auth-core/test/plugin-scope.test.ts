import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fastifyAuth from '@fastify/auth'
import { connectWithOAuth, type FakeIdp, HeadlessOAuthClient, startFakeIdp } from '@mxcp/testing'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { BearerRejectedError, mxcpAuth, requireUser, validateAuthConfig } from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'
import { serveMcp } from './helpers/stateless-mcp.js'

const PREFIX = '/oauth'

/** A host app: its own unguarded form route, the plugin under PREFIX, a guarded MCP route. */
async function hostApp(idp: FakeIdp, rateLimit = false): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(mxcpAuth, {
    prefix: PREFIX,
    auth: validateAuthConfig({
      provider: 'github',
      github: { client_id: idp.clientId, client_secret: idp.clientSecret },
      ...(rateLimit ? { rate_limit: { max: 2, window_seconds: 60 } } : {}),
    }),
    provider: fakeIdpProvider(idp),
  })
  // The host's own form route: it never registered a form parser, so it must not get one from us.
  app.post('/feedback', async (request) => ({ body: request.body ?? null, cookies: request.cookies ?? null }))
  app.get('/public', async (request) => ({ user: request.user }))
  app.get('/careless', async (request) => ({ username: requireUser(request).username }))
  await app.register(async (mcp) => {
    mcp.addHook('onRequest', mcp.mxcpGuard)
    mcp.post('/mcp', serveMcp)
  })
  return app
}

describe('the plugin stays in its scope', () => {
  let idp: FakeIdp
  let app: FastifyInstance
  let origin: string

  before(async () => {
    idp = await startFakeIdp()
    app = await hostApp(idp)
    origin = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await idp.close()
  })

  test("the host's own routes parse no forms and no cookies", async () => {
    const form = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'a=b' },
      payload: 'text=hello',
    })
    assert.equal(form.statusCode, 415, 'no urlencoded parser outside the plugin')
    const json = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { cookie: 'a=b' },
      payload: { text: 'hello' },
    })
    assert.deepEqual(json.json(), { body: { text: 'hello' }, cookies: null })
    assert.equal(app.hasContentTypeParser('application/x-www-form-urlencoded'), false)
    assert.equal(app.hasDecorator('parseCookie'), false)
  })

  test('every OAuth route is under the prefix, and nothing is at the root', async () => {
    for (const url of ['/authorize', '/token', '/register', '/revoke', '/consent', '/github/callback']) {
      const response = await app.inject({ method: url === '/token' ? 'POST' : 'GET', url })
      assert.equal(response.statusCode, 404, `${url} is not served outside the prefix`)
    }
    const registered = await app.inject({
      method: 'POST',
      url: `${PREFIX}/register`,
      payload: { redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' },
    })
    assert.equal(registered.statusCode, 201)
  })

  test('the metadata advertises the prefixed endpoints at the RFC 8414 §3.1 path-inserted URL', async () => {
    const root = await fetch(`${origin}/.well-known/oauth-authorization-server`)
    assert.equal(root.status, 404, 'no metadata for an issuer without the prefix')
    const response = await fetch(`${origin}/.well-known/oauth-authorization-server${PREFIX}`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    const metadata = (await response.json()) as Record<string, unknown>
    assert.equal(metadata['issuer'], `${origin}${PREFIX}`)
    assert.equal(metadata['authorization_endpoint'], `${origin}${PREFIX}/authorize`)
    assert.equal(metadata['token_endpoint'], `${origin}${PREFIX}/token`)
    assert.equal(metadata['registration_endpoint'], `${origin}${PREFIX}/register`)
    assert.equal(metadata['revocation_endpoint'], `${origin}${PREFIX}/revoke`)
    const resource = (await (
      await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as Record<string, unknown>
    assert.equal(
      resource['resource'],
      `${origin}/mcp`,
      'RFC 9728 §3.1: derived from the resource, not the prefix',
    )
    assert.deepEqual(resource['authorization_servers'], [`${origin}${PREFIX}`])
  })

  test('the real MCP SDK client signs in through the prefixed routes and calls the guarded tool', async () => {
    const oauth = new HeadlessOAuthClient({ expectedIssuer: `${origin}${PREFIX}` })
    const client = await connectWithOAuth(`${origin}/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'alice' }])
      assert.deepEqual(
        oauth.lastRedirect?.trace.map(
          (step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`,
        ),
        [
          `GET ${PREFIX}/authorize 200`,
          `POST ${PREFIX}/consent 200`,
          'GET /authorize 302', // the stand-in's own authorization endpoint
          `GET ${PREFIX}/github/callback 302`,
        ],
      )
      assert.equal(oauth.lastRedirect?.params.get('iss'), `${origin}${PREFIX}`)
      const [exchange] = idp.tokenRequests('authorization_code')
      assert.equal(exchange?.params['redirect_uri'], `${origin}${PREFIX}/github/callback`)
    } finally {
      await client.close()
    }
  })

  test('request.user is null without the guard, and requireUser refuses to pretend otherwise', async () => {
    assert.deepEqual((await app.inject({ method: 'GET', url: '/public' })).json(), { user: null })
    const careless = await app.inject({ method: 'GET', url: '/careless' })
    assert.equal(careless.statusCode, 500)
  })
})

describe('the prefix and the rate limit', () => {
  test('the limiter counts the prefixed routes', async () => {
    const idp = await startFakeIdp()
    const app = await hostApp(idp, true)
    try {
      const codes: number[] = []
      for (let i = 0; i < 3; i++) {
        const response = await app.inject({
          method: 'POST',
          url: `${PREFIX}/register`,
          payload: { redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' },
        })
        codes.push(response.statusCode)
      }
      assert.deepEqual(codes, [201, 201, 429])
    } finally {
      await app.close()
      await idp.close()
    }
  })

  test('a prefix that is not a path is refused at registration', async () => {
    const idp = await startFakeIdp()
    const app = Fastify()
    try {
      await assert.rejects(
        (async () => {
          await app.register(mxcpAuth, {
            prefix: 'oauth?x',
            auth: validateAuthConfig({
              provider: 'github',
              github: { client_id: idp.clientId, client_secret: idp.clientSecret },
            }),
            provider: fakeIdpProvider(idp),
          })
          await app.ready()
        })(),
        /prefix "oauth\?x" must be a path/,
      )
    } finally {
      await app.close()
      await idp.close()
    }
  })
})

describe('the guard as a @fastify/auth strategy', () => {
  let idp: FakeIdp
  let app: FastifyInstance
  let origin: string

  before(async () => {
    idp = await startFakeIdp()
    app = Fastify()
    await app.register(fastifyAuth)
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
      }),
      provider: fakeIdpProvider(idp),
    })
    // A second strategy: an operator's API key. Either one lets the caller in.
    const apiKey = async (request: FastifyRequest) => {
      if (request.headers['x-api-key'] !== 'operator-key') throw new Error('no API key')
    }
    app.post('/mcp', { onRequest: app.auth([app.mxcpVerify, apiKey]) }, serveMcp)
    app.get('/either', { onRequest: app.auth([app.mxcpVerify, apiKey]) }, async (request) => ({
      user: request.user?.username ?? null,
    }))
    app.get('/bearer-only', { onRequest: app.auth([app.mxcpVerify]) }, async (request) => ({
      user: requireUser(request).username,
    }))
    origin = await app.listen({ host: '127.0.0.1', port: 0 })
  })
  after(async () => {
    await app.close()
    await idp.close()
  })

  test('without any credential, the bearer refusal comes back as 401 with its RFC 6750 challenge', async () => {
    const response = await app.inject({ method: 'GET', url: '/bearer-only' })
    assert.equal(response.statusCode, 401)
    assert.match(String(response.headers['www-authenticate']), /^Bearer resource_metadata="/)
  })

  test('a bad bearer token is refused with invalid_token', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/bearer-only',
      headers: { authorization: 'Bearer mxcp_at_not-a-token' },
    })
    assert.equal(response.statusCode, 401)
    assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/)
  })

  test('another strategy can let the caller in when the bearer check fails (relation "or")', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/either',
      headers: { 'x-api-key': 'operator-key' },
    })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { user: null })
  })

  test('a signed-in MCP client passes the bearer strategy and the route sees its user', async () => {
    const client = await connectWithOAuth(`${origin}/mcp`, new HeadlessOAuthClient())
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'alice' }])
    } finally {
      await client.close()
    }
  })

  test('the refusal is a branded BearerRejectedError carrying status and headers', () => {
    const error = new BearerRejectedError({
      statusCode: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: { error: 'unauthorized', error_description: 'no token' },
    })
    assert.ok(BearerRejectedError.is(error))
    assert.equal(error.statusCode, 401)
  })
})

describe('several registrations in one app', () => {
  test('two providers in sibling scopes, each under its prefix with its MCP path', async () => {
    const idp = await startFakeIdp()
    const app = Fastify()
    try {
      const auth = validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
      })
      for (const name of ['one', 'two']) {
        await app.register(async (scope) => {
          await scope.register(mxcpAuth, {
            prefix: `/${name}/oauth`,
            mcpPath: `/${name}/mcp`,
            auth,
            provider: fakeIdpProvider(idp),
          })
          scope.post(`/${name}/mcp`, { onRequest: scope.mxcpGuard }, serveMcp)
        })
      }
      const origin = await app.listen({ host: '127.0.0.1', port: 0 })
      for (const name of ['one', 'two']) {
        const resource = await fetch(`${origin}/.well-known/oauth-protected-resource/${name}/mcp`)
        assert.deepEqual(((await resource.json()) as Record<string, unknown>)['authorization_servers'], [
          `${origin}/${name}/oauth`,
        ])
        const client = await connectWithOAuth(`${origin}/${name}/mcp`, new HeadlessOAuthClient())
        try {
          const result = await client.callTool({ name: 'whoami', arguments: {} })
          assert.deepEqual(result.content, [{ type: 'text', text: 'alice' }])
        } finally {
          await client.close()
        }
      }
      const bare = await fetch(`${origin}/.well-known/oauth-protected-resource`)
      assert.equal(bare.status, 404, 'no registration claims the whole host')
    } finally {
      await app.close()
      await idp.close()
    }
  })
})
