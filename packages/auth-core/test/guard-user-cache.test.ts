import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sha256 } from '../src/crypto.js'
import { MemoryStore, type OAuthStore, StoreUnavailableError, type UpstreamProvider } from '../src/index.js'
import type { SessionPatch } from '../src/store/records.js'
import { Harness, type HarnessOptions } from './helpers/harness.js'

async function withHarness(options: HarnessOptions, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.start(options)
  try {
    await body(h)
  } finally {
    await h.close()
  }
}

async function sessionOf(h: Harness, accessToken: string): Promise<string> {
  return (await h.store.getToken(sha256(accessToken)))?.sessionId ?? ''
}

/** Calls until a 200 (a background probe may first have to see the provider healthy again). */
async function eventually200(h: Harness, accessToken: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if ((await h.call(accessToken)).statusCode === 200) return true
    h.clock.advance(1_000) // probes are spaced out while the provider fails
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}

describe('the user context cache', () => {
  test('within cache_ttl the provider is not asked again', () =>
    withHarness({}, async (h) => {
      const issued = await h.issue()
      h.idp.resetRecords()
      for (let i = 0; i < 3; i++) assert.equal((await h.call(issued.accessToken)).statusCode, 200)
      h.clock.advance(299_000)
      assert.equal((await h.call(issued.accessToken)).statusCode, 200)
      assert.equal(h.idp.calls(), 0)
    }))

  test('after cache_ttl the next request fetches the user again and sees changes', () =>
    withHarness({ auth: { cache_ttl: 60 } }, async (h) => {
      const issued = await h.issue()
      h.idp.resetRecords()
      h.idp.user = { ...h.idp.user, login: 'alice-renamed', name: 'Alice Renamed' }
      h.clock.advance(60_000)
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 200)
      assert.equal(response.json().user.username, 'alice-renamed')
      assert.equal(h.idp.calls('userinfo'), 1)
      assert.equal((await h.call(issued.accessToken)).json().user.username, 'alice-renamed')
      assert.equal(h.idp.calls('userinfo'), 1, 'cached again for cache_ttl')
    }))

  test('concurrent requests after the TTL share one provider call (single flight)', () =>
    withHarness({}, async (h) => {
      const issued = await h.issue()
      h.idp.resetRecords()
      h.clock.advance(300_000)
      const responses = await Promise.all(Array.from({ length: 5 }, () => h.call(issued.accessToken)))
      assert.deepEqual(
        responses.map((response) => response.statusCode),
        [200, 200, 200, 200, 200],
      )
      assert.equal(h.idp.calls('userinfo'), 1)
    }))

  test('a dead upstream token is refreshed once, transparently, and the request succeeds', () =>
    withHarness({}, async (h) => {
      const issued = await h.issue()
      const before = (await h.call(issued.accessToken)).json().upstreamToken
      h.idp.grants.revokeAllAccessTokens()
      h.idp.resetRecords()
      h.clock.advance(300_000)
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 200)
      assert.notEqual(response.json().upstreamToken, before)
      assert.equal(h.idp.tokenRequests('refresh_token').length, 1)
      assert.equal(h.idp.calls('userinfo'), 2, 'refused once, then accepted with the new token')
      const session = await h.store.getSession(await sessionOf(h, issued.accessToken))
      assert.equal(
        session?.upstream.accessToken,
        response.json().upstreamToken,
        'the new upstream tokens are stored',
      )
    }))

  test('a dead upstream token that cannot be refreshed ends the session (401, and every later request too)', () =>
    withHarness({}, async (h) => {
      const issued = await h.issue()
      const sessionId = await sessionOf(h, issued.accessToken)
      h.idp.grants.revokeAllAccessTokens()
      h.idp.grants.revokeAllRefreshTokens()
      h.clock.advance(300_000)
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 401)
      assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/)
      assert.equal(await h.store.getSession(sessionId), undefined)
      assert.equal((await h.call(issued.accessToken)).statusCode, 401)
      const refresh = await h.token({
        grant_type: 'refresh_token',
        refresh_token: issued.refreshToken,
        client_id: issued.client.clientId,
      })
      assert.equal(refresh.statusCode, 400, 'the tokens of the ended session are revoked')
    }))

  test('the session is pinned to its user id: a provider answering for another user ends it (any provider)', () => {
    let answerFor: string | undefined
    const wrapProvider = (provider: UpstreamProvider): UpstreamProvider => ({
      ...provider,
      userInfo: async (tokens) => {
        const user = await provider.userInfo(tokens)
        return answerFor ? { ...user, userId: answerFor, name: 'Someone Else' } : user
      },
    })
    return withHarness({ auth: { cache_ttl: 60 }, wrapProvider }, async (h) => {
      const issued = await h.issue()
      const sessionId = await sessionOf(h, issued.accessToken)
      answerFor = 'someone-else'
      h.clock.advance(60_000)
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 401)
      assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/)
      assert.equal(
        await h.store.getSession(sessionId),
        undefined,
        'the session is gone, with nothing of the answer',
      )
      const warning = h
        .logLines()
        .find((line) => line['msg'] === 'session ended: the provider answered about another user')
      assert.equal(warning?.['level'], 40, 'a warning in the log')
      assert.ok(!h.logs.join('\n').includes('Someone Else'), 'the other user is not logged')
      assert.equal((await h.call(issued.accessToken)).statusCode, 401, 'and it stays ended')
    })
  })

  test('a provider without refresh: a dead upstream token ends the session', () =>
    withHarness({ provider: { withoutRefresh: true } }, async (h) => {
      const issued = await h.issue()
      h.idp.grants.revokeAllAccessTokens()
      h.idp.resetRecords()
      h.clock.advance(300_000)
      assert.equal((await h.call(issued.accessToken)).statusCode, 401)
      assert.equal(h.idp.tokenRequests('refresh_token').length, 0)
    }))

  test('an expired upstream token is refreshed before use, without waiting for the cache TTL', () =>
    withHarness({ idp: { accessTokenTtlSeconds: 600 }, auth: { cache_ttl: 3600 } }, async (h) => {
      const issued = await h.issue()
      const first = (await h.call(issued.accessToken)).json().upstreamToken
      h.idp.resetRecords()
      h.clock.advance(600_000)
      const responses = await Promise.all([
        h.call(issued.accessToken),
        h.call(issued.accessToken),
        h.call(issued.accessToken),
      ])
      for (const response of responses) assert.equal(response.statusCode, 200)
      const upstream = responses.map((response) => response.json().upstreamToken)
      assert.notEqual(upstream[0], first)
      assert.equal(new Set(upstream).size, 1)
      assert.equal(h.idp.tokenRequests('refresh_token').length, 1, 'single flight per session')
      assert.equal(h.idp.calls('userinfo'), 0, 'the user is still fresh')
    }))

  test('with stale_cache_ttl 0, a provider that is down when the cache expires gives 503 without ending the session', () =>
    withHarness({ auth: { stale_cache_ttl: 0 } }, async (h) => {
      const issued = await h.issue()
      h.clock.advance(300_000)
      h.idp.fail('userinfo', 'server-error')
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 503)
      assert.equal(response.json().error, 'temporarily_unavailable')
      h.idp.heal()
      assert.equal(await eventually200(h, issued.accessToken), true, 'served again once the provider is back')
    }))

  test('a provider that is down serves the last known profile for stale_cache_ttl, then 503 with Retry-After', () =>
    withHarness({ auth: { cache_ttl: 60, stale_cache_ttl: 120 } }, async (h) => {
      const issued = await h.issue()
      h.clock.advance(60_000)
      h.idp.fail('userinfo', 'server-error')
      const stale = await h.call(issued.accessToken)
      assert.equal(stale.statusCode, 200, 'the last known profile is served')
      assert.equal(stale.json().user.username, h.idp.user.login)
      h.clock.advance(119_000)
      assert.equal((await h.call(issued.accessToken)).statusCode, 200, 'still inside the stale window')
      h.clock.advance(2_000)
      const started = Date.now()
      const refused = await h.call(issued.accessToken)
      assert.equal(refused.statusCode, 503)
      assert.equal(refused.json().error, 'temporarily_unavailable')
      assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After says when to come back')
      assert.ok(Date.now() - started < 2_000, 'answered within 2 s')
      assert.ok(await h.store.getSession(await sessionOf(h, issued.accessToken)), 'the session is kept')
      h.idp.heal()
      assert.equal(await eventually200(h, issued.accessToken), true, 'served again once the provider is back')
    }))

  test('while the provider is failing, one probe at a time goes upstream and requests are answered at once', () =>
    withHarness({ auth: { cache_ttl: 60 }, idp: { slowMs: 3_000 } }, async (h) => {
      const sessions = await Promise.all([h.issue(), h.issue(), h.issue()])
      h.clock.advance(60_000)
      h.idp.fail('userinfo', 'server-error', 1)
      assert.equal(
        (await h.call(sessions[0].accessToken)).statusCode,
        200,
        'the outage is discovered, stale served',
      )
      h.clock.advance(1_000) // the next probe is due
      h.idp.resetRecords()
      h.idp.fail('userinfo', 'slow')
      const started = Date.now()
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => h.call(sessions[i % 3]?.accessToken ?? '')),
      )
      assert.ok(answers.every((answer) => answer.statusCode === 200))
      assert.ok(Date.now() - started < 2_000, 'nobody waited for the provider')
      // The probe is on its way to the provider meanwhile; give it time to arrive, and the others none.
      for (let wait = 0; wait < 40 && h.idp.calls('userinfo') === 0; wait++)
        await new Promise((resolve) => setTimeout(resolve, 25))
      await Promise.all(Array.from({ length: 6 }, (_, i) => h.call(sessions[i % 3]?.accessToken ?? '')))
      await new Promise((resolve) => setTimeout(resolve, 200))
      assert.equal(h.idp.calls('userinfo'), 1, 'a single probe went upstream')
    }))

  test('a slow provider does not hold a request that has a profile to serve', () =>
    withHarness({ auth: { cache_ttl: 60 }, idp: { slowMs: 4_000 } }, async (h) => {
      const issued = await h.issue()
      h.clock.advance(60_000)
      h.idp.fail('userinfo', 'slow')
      const started = Date.now()
      assert.equal((await h.call(issued.accessToken)).statusCode, 200)
      assert.ok(Date.now() - started < 2_000, 'answered from the last known profile within 2 s')
    }))

  test('a user who no longer passes the allowlist is signed out at the next revalidation', () =>
    withHarness({ auth: { authorization: { allowed_organizations: ['acme'] } } }, async (h) => {
      const issued = await h.issue()
      h.idp.user = { ...h.idp.user, organizations: [] }
      assert.equal((await h.call(issued.accessToken)).statusCode, 200, 'cached')
      h.clock.advance(300_000)
      assert.equal((await h.call(issued.accessToken)).statusCode, 401)
    }))
})

/** `memory`, except that the next `failures.left` session updates fail as a database outage would. */
function failingSessionUpdates(memory: MemoryStore, failures: { left: number }): OAuthStore {
  return new Proxy(memory, {
    get(target, key) {
      if (key === 'updateSession')
        return async (sessionId: string, patch: SessionPatch) => {
          if (failures.left > 0) {
            failures.left--
            throw new StoreUnavailableError('database down')
          }
          return target.updateSession(sessionId, patch)
        }
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

describe('an upstream refresh whose result cannot be saved', () => {
  test('is retried, kept and saved before use: the rotated upstream token is never lost', async () => {
    const memory = new MemoryStore()
    const failures = { left: 0 }
    const store = failingSessionUpdates(memory, failures)
    const h = await Harness.start({
      store,
      idp: { accessTokenTtlSeconds: 600, rotateRefreshTokens: true },
      auth: { cache_ttl: 3600 },
    })
    try {
      const issued = await h.issue()
      const sessionId = await sessionOf(h, issued.accessToken)
      h.clock.advance(600_000)
      failures.left = 4 // longer than the retries last: the first request gets 503
      const first = await h.call(issued.accessToken)
      // Served from the last known profile while the save is retried (100 + 400 + 1000 ms), or 503.
      assert.ok([200, 503].includes(first.statusCode), `answered ${first.statusCode}`)
      await new Promise((resolve) => setTimeout(resolve, 1_800)) // the retries run out
      assert.equal(h.idp.tokenRequests('refresh_token').length, 1, 'the provider rotated its refresh token')
      assert.equal(failures.left, 0, 'every save failed')
      // The database is back: the kept tokens are saved first and used; the provider is not asked again.
      const served = await h.call(issued.accessToken)
      assert.equal(served.statusCode, 200)
      assert.equal(
        h.idp.tokenRequests('refresh_token').length,
        1,
        'no second refresh with a dead refresh token',
      )
      const saved = await memory.getSession(sessionId)
      assert.equal(saved?.upstream.accessToken, served.json().upstreamToken, 'what is used is what was saved')
      h.clock.advance(600_000)
      assert.equal((await h.call(issued.accessToken)).statusCode, 200, 'and the next refresh works')
    } finally {
      await h.close()
    }
  })

  test('a save that fails briefly is retried and the request is served', async () => {
    const memory = new MemoryStore()
    const failures = { left: 0 }
    const store = failingSessionUpdates(memory, failures)
    const h = await Harness.start({ store, idp: { accessTokenTtlSeconds: 600, rotateRefreshTokens: true } })
    try {
      const issued = await h.issue()
      h.clock.advance(600_000)
      failures.left = 2
      assert.equal((await h.call(issued.accessToken)).statusCode, 200)
      assert.equal(h.idp.tokenRequests('refresh_token').length, 1)
    } finally {
      await h.close()
    }
  })
})
