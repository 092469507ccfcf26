import assert from 'node:assert/strict'
import { test } from 'node:test'
import Fastify from 'fastify'
import { mxcpAuth, sha256, type UserContext, validateAuthConfig } from '../src/index.js'
import { BASE, Harness } from './helpers/harness.js'

/**
 * The guide: the user context is "cached in memory only (not persisted to disk)" and "cleared
 * when the server restarts". What a session needs to survive a restart (ids, sealed upstream
 * tokens) is stored; the profile (name, email, raw profile) is not stored at all.
 */
test('the stored session holds no profile; the profile lives in memory for cache_ttl and is fetched again after a restart', async () => {
  const h = await Harness.start()
  try {
    const issued = await h.issue()
    const token = await h.store.getToken(sha256(issued.accessToken))
    assert.ok(token)
    const session = await h.store.getSession(token.sessionId)
    assert.deepEqual(
      session?.user,
      { userId: '1001', username: 'alice', rawProfile: {} },
      'no name, email or profile',
    )
    const userinfo = () => h.idp.requests.filter((request) => request.endpoint === 'userinfo').length
    const fetched = userinfo()

    const first = (await h.call(issued.accessToken)).json<{ user: UserContext }>().user
    assert.equal(first.email, 'alice@example.com', 'the sign-in primed this replica’s cache')
    assert.equal(userinfo(), fetched, 'no second user-info call right after the sign-in')

    // A restart: a new process on the same store has no cache, so it asks the provider once.
    const restarted = Fastify()
    await restarted.register(mxcpAuth, {
      auth: validateAuthConfig({ provider: 'github', github: { client_id: 'x', client_secret: 'y' } }),
      provider: h.provider,
      store: h.store,
      clock: h.clock,
      urls: { baseUrl: BASE },
    })
    restarted.get('/mcp', { onRequest: restarted.mxcpGuard }, async (request) => ({ user: request.user }))
    try {
      const call = () =>
        restarted.inject({
          method: 'GET',
          url: '/mcp',
          headers: { authorization: `Bearer ${issued.accessToken}` },
        })
      const after = (await call()).json<{ user: UserContext }>().user
      assert.equal(after.email, 'alice@example.com')
      assert.equal(after.name, 'Alice Example')
      assert.equal(userinfo(), fetched + 1)
      await call()
      assert.equal(userinfo(), fetched + 1, 'then served from memory for cache_ttl')
      const stored = await h.store.getSession(token.sessionId)
      assert.deepEqual(
        stored?.user,
        { userId: '1001', username: 'alice', rawProfile: {} },
        'still no profile stored',
      )
    } finally {
      await restarted.close()
    }
  } finally {
    await h.close()
  }
})
