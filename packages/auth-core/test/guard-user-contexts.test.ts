import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { SessionUser } from '../src/guard/session-users.js'
import { UserContexts } from '../src/guard/user-contexts.js'
import { validateAuthConfig } from '../src/index.js'
import type { UpstreamProvider } from '../src/provider.js'
import type { TokenRecord } from '../src/store/records.js'
import { Harness } from './helpers/harness.js'

const provider = { id: 'github', label: 'GitHub' } as UpstreamProvider

function sessionUser(login: string, upstreamToken: string): SessionUser {
  return {
    user: { userId: `id-${login}`, username: login, rawProfile: { login, company: `${login} & co` } },
    upstream: { accessToken: upstreamToken },
    freshUntil: Number.MAX_SAFE_INTEGER,
  }
}

function token(clientId: string, scopes: readonly string[]): TokenRecord {
  return {
    tokenHash: `hash-${clientId}-${scopes.join('.')}`,
    kind: 'access',
    clientId,
    sessionId: 's',
    familyId: 'f',
    scopes,
    resource: 'https://mcp.test/mcp',
    createdAt: 0,
    expiresAt: Number.MAX_SAFE_INTEGER,
    revoked: false,
    consumed: false,
  }
}

describe('the user contexts the guard hands out', () => {
  test('a context is reused only for the same session entry, client and scopes', () => {
    const contexts = new UserContexts({ provider })
    const ada = sessionUser('ada', 'gho_ada')
    const first = contexts.userFor(ada, token('client-1', ['mxcp:access']))
    assert.equal(contexts.userFor(ada, token('client-1', ['mxcp:access'])), first, 'built once')

    const otherClient = contexts.userFor(ada, token('client-2', ['mxcp:access']))
    assert.equal(otherClient.context.clientId, 'client-2')
    const fewerScopes = contexts.userFor(ada, token('client-2', []))
    assert.deepEqual(fewerScopes.context.scopes, [])

    const grace = sessionUser('grace', 'gho_grace')
    const graceUser = contexts.userFor(grace, token('client-2', []))
    assert.equal(graceUser.context.username, 'grace')
    assert.equal(graceUser.context.upstreamToken, 'gho_grace')
    assert.equal(graceUser.context.attributes['company'], 'grace & co')
    assert.deepEqual(graceUser.logged, {
      username: 'grace',
      userId: 'id-grace',
      provider: 'github',
      name: undefined,
      email: undefined,
    })
    assert.equal(contexts.userFor(ada, token('client-2', [])).context.upstreamToken, 'gho_ada')

    // A revalidated session is a new entry: its new profile shows at once.
    const renamed = sessionUser('ada-renamed', 'gho_ada_2')
    const after = contexts.userFor(renamed, token('client-1', ['mxcp:access']))
    assert.equal(after.context.username, 'ada-renamed')
    assert.equal(after.context.upstreamToken, 'gho_ada_2')
  })

  test('granted scopes are worked out again for each token shape, and a shared context cannot be changed', () => {
    const auth = validateAuthConfig({
      provider: 'github',
      github: { client_id: 'id', client_secret: 'secret' },
      authorization: { scope_grants: { 'mxcp:admin': { users: ['ada'] } } },
    })
    const contexts = new UserContexts({ provider, authorization: auth.authorization })
    const ada = sessionUser('ada', 'gho_ada')
    const grace = sessionUser('grace', 'gho_grace')
    const asked = ['mxcp:access', 'mxcp:admin']
    assert.deepEqual(contexts.userFor(grace, token('c', asked)).context.scopes, ['mxcp:access'])
    const adaUser = contexts.userFor(ada, token('c', asked))
    assert.deepEqual(adaUser.context.scopes, asked)
    assert.throws(() => (adaUser.context.scopes as string[]).push('mxcp:root'))
    assert.throws(() => {
      ;(adaUser.context.attributes as Record<string, string>)['login'] = 'grace'
    })
    assert.deepEqual(contexts.userFor(ada, token('c', asked)).context.scopes, asked)
  })
})

describe('the guard with cached user contexts', () => {
  test('concurrent requests of two users, interleaved, are each answered with their own user and upstream token', async () => {
    const h = await Harness.start()
    try {
      const ada = await h.issue()
      const adaFirst = (await h.call(ada.accessToken)).json()
      const adaUpstream = adaFirst.upstreamToken
      assert.equal(adaFirst.user.username, 'alice')
      h.idp.user = { ...h.idp.user, sub: '2001', login: 'grace', name: 'Grace Hopper' }
      const grace = await h.issue()
      const graceUpstream = (await h.call(grace.accessToken)).json().upstreamToken
      assert.notEqual(adaUpstream, graceUpstream)
      const order = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? 'grace' : 'ada'))
      const responses = await Promise.all(
        order.map((who) => h.call(who === 'ada' ? ada.accessToken : grace.accessToken)),
      )
      responses.forEach((response, i) => {
        assert.equal(response.statusCode, 200)
        const body = response.json()
        const who = order[i]
        assert.equal(body.user.clientId, who === 'ada' ? ada.client.clientId : grace.client.clientId)
        assert.equal(body.user.username, who === 'ada' ? 'alice' : 'grace')
        assert.equal(body.upstreamToken, who === 'ada' ? adaUpstream : graceUpstream)
      })
    } finally {
      await h.close()
    }
  })
})
