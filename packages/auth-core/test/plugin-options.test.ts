import assert from 'node:assert/strict'
import { describe, mock, test } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { startFakeIdp } from '@mxcp/testing'
import Fastify from 'fastify'
import { FakeClock } from '../src/clock.js'
import {
  ANONYMOUS_USER,
  MemoryStore,
  type MxcpAuthOptions,
  mxcpAuth,
  requireUser,
  type UpstreamProvider,
  validateAuthConfig,
} from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'
import { spyStore } from './helpers/spy-store.js'

const githubAuth = (extra: Record<string, unknown> = {}) =>
  validateAuthConfig({ provider: 'github', github: { client_id: 'id', client_secret: 'secret' }, ...extra })

const stubProvider: UpstreamProvider = {
  id: 'github',
  label: 'GitHub',
  callbackPath: '/github/callback',
  authorizationUrl: async () => new URL('https://github.example/authorize'),
  exchangeCode: async () => ({ accessToken: 'x' }),
  userInfo: async () => ({ userId: '1', username: 'u', rawProfile: {} }),
}

/** Registers the plugin and returns the registration error's message (or undefined). */
async function registrationError(options: Partial<MxcpAuthOptions>): Promise<string | undefined> {
  const app = Fastify()
  try {
    await app.register(mxcpAuth, options as MxcpAuthOptions)
    await app.ready()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await app.close()
  }
}

describe('plugin options are validated at registration', () => {
  test('a provider is required unless auth.provider is none', async () => {
    assert.match(
      String(await registrationError({ auth: githubAuth() })),
      /auth\.provider is "github" but no provider was given/,
    )
  })

  test("the provider's id must match auth.provider", async () => {
    const message = await registrationError({
      auth: githubAuth(),
      provider: { ...stubProvider, id: 'google' },
    })
    assert.match(String(message), /auth\.provider is "github" but the provider given is "google"/)
  })

  test('the auth block is validated again (a raw block with an unknown key is refused)', async () => {
    const message = await registrationError({
      auth: { provider: 'github', github: { client_id: 'a', client_secret: 'b' }, bogus: 1 } as never,
      provider: stubProvider,
    })
    assert.match(String(message), /auth\.bogus: unknown key/)
  })

  test('plain http base URLs are refused off loopback; paths are refused; loopback http is fine', async () => {
    assert.match(
      String(
        await registrationError({
          auth: githubAuth(),
          provider: stubProvider,
          urls: { baseUrl: 'http://mcp.example.com' },
        }),
      ),
      /must use https/,
    )
    assert.match(
      String(
        await registrationError({
          auth: githubAuth(),
          provider: stubProvider,
          urls: { baseUrl: 'https://mcp.example.com/prefix' },
        }),
      ),
      /without a path/,
    )
    assert.match(
      String(
        await registrationError({
          auth: githubAuth(),
          provider: stubProvider,
          urls: { baseUrl: 'not a url' },
        }),
      ),
      /not an absolute URL/,
    )
    assert.equal(
      await registrationError({
        auth: githubAuth(),
        provider: stubProvider,
        urls: { baseUrl: 'http://localhost:8000' },
      }),
      undefined,
    )
  })

  test('a signing secret shorter than 32 bytes is refused', async () => {
    assert.match(
      String(
        await registrationError({ auth: githubAuth(), provider: stubProvider, secret: Buffer.alloc(16) }),
      ),
      /at least 32/,
    )
  })

  test('mcpPath must be a clean path', async () => {
    for (const mcpPath of ['mcp', '/mcp/', '/mcp?x', '/token']) {
      assert.match(
        String(await registrationError({ auth: githubAuth(), provider: stubProvider, mcpPath })),
        /mcpPath/,
        mcpPath,
      )
    }
  })

  test('a provider callback path that shadows one of our routes is refused', async () => {
    const message = await registrationError({
      auth: githubAuth(),
      provider: { ...stubProvider, callbackPath: '/token' },
    })
    assert.match(String(message), /clashes/)
  })

  test('pre-registered clients with insecure redirect URIs or duplicate ids are refused', async () => {
    const insecure = githubAuth({
      clients: [{ client_id: 'a', name: 'A', redirect_uris: ['http://app.example.com/cb'] }],
    })
    assert.match(
      String(await registrationError({ auth: insecure, provider: stubProvider })),
      /auth\.clients\[0\]\.redirect_uris\[0\].*must use https/,
    )
    const duplicate = githubAuth({
      clients: [
        { client_id: 'a', name: 'A' },
        { client_id: 'a', name: 'B' },
      ],
    })
    assert.match(String(await registrationError({ auth: duplicate, provider: stubProvider })), /listed twice/)
  })

  test('the guide default redirect URIs of a pre-registered client (loopback http) are accepted', async () => {
    assert.equal(
      await registrationError({
        auth: githubAuth({ clients: [{ client_id: 'cli', name: 'CLI' }] }),
        provider: stubProvider,
      }),
      undefined,
    )
  })

  test('an app that already has @fastify/cookie keeps it (no double registration)', async () => {
    const app = Fastify()
    await app.register(fastifyCookie)
    await app.register(mxcpAuth, { auth: githubAuth(), provider: stubProvider })
    await app.ready()
    await app.close()
  })

  test('the guard fits an app with a type provider (TypeBox), as a scope hook or a route option', async () => {
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>()
    await app.register(mxcpAuth, { auth: githubAuth(), provider: stubProvider })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.get('/mcp', async (request) => ({ username: requireUser(request).username }))
    })
    app.get('/route-level', { onRequest: app.mxcpGuard }, async (request) => ({
      username: requireUser(request).username,
    }))
    assert.equal((await app.inject({ method: 'GET', url: '/mcp' })).statusCode, 401)
    assert.equal((await app.inject({ method: 'GET', url: '/route-level' })).statusCode, 401)
    await app.close()
  })

  test('request.user decorated by another plugin is refused with a clear message', async () => {
    const app = Fastify()
    app.decorateRequest('user', null as never)
    await assert.rejects(
      (async () => {
        await app.register(mxcpAuth, { auth: githubAuth(), provider: stubProvider })
        await app.ready()
      })(),
      /request\.user is already decorated/,
    )
    await app.close()
  })
})

describe('store ownership and the sweep', () => {
  test('a store passed in is not closed with the app; the sweep runs on an interval', async () => {
    mock.timers.enable({ apis: ['setInterval'] })
    try {
      const store = spyStore(new MemoryStore())
      const clock = new FakeClock()
      const app = Fastify()
      await app.register(mxcpAuth, { auth: githubAuth(), provider: stubProvider, store, clock })
      await app.ready()
      mock.timers.tick(60_000)
      assert.equal(store.count('sweepExpired'), 1)
      mock.timers.tick(60_000)
      assert.equal(store.count('sweepExpired'), 2)
      await app.close()
      assert.equal(store.count('close'), 0)
      mock.timers.tick(60_000)
      assert.equal(store.count('sweepExpired'), 2, 'the sweep stops on close')
    } finally {
      mock.timers.reset()
    }
  })

  test('a store the plugin created is closed with the app', async () => {
    const closed = mock.method(MemoryStore.prototype, 'close')
    try {
      const app = Fastify()
      await app.register(mxcpAuth, { auth: githubAuth(), provider: stubProvider })
      await app.ready()
      await app.close()
      assert.equal(closed.mock.callCount(), 1)
    } finally {
      closed.mock.restore()
    }
  })
})

describe('provider none', () => {
  test('no OAuth routes at all, and the guard lets everything through as the anonymous user', async () => {
    const idp = await startFakeIdp()
    const app = Fastify()
    try {
      // A provider passed along with `none` is ignored.
      await app.register(mxcpAuth, { auth: validateAuthConfig({}), provider: fakeIdpProvider(idp) })
      await app.register(async (mcp) => {
        mcp.addHook('onRequest', mcp.mxcpGuard)
        mcp.get('/mcp', async (request) => ({ user: request.user }))
      })
      for (const url of [
        '/authorize',
        '/token',
        '/register',
        '/revoke',
        '/consent',
        '/github/callback',
        '/.well-known/oauth-authorization-server',
        '/.well-known/oauth-protected-resource/mcp',
      ]) {
        const method =
          url === '/token' || url === '/register' || url === '/revoke' || url === '/consent' ? 'POST' : 'GET'
        assert.equal((await app.inject({ method, url })).statusCode, 404, url)
      }
      const response = await app.inject({
        method: 'GET',
        url: '/mcp',
        headers: { authorization: 'Bearer anything' },
      })
      assert.equal(response.statusCode, 200)
      assert.deepEqual(response.json().user, JSON.parse(JSON.stringify(ANONYMOUS_USER)))
      assert.equal(idp.calls(), 0)
    } finally {
      await app.close()
      await idp.close()
    }
  })
})
