import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sha256, type UpstreamProvider } from '../src/index.js'
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

  test('a provider that is down when the cache expires gives 503 without ending the session', () =>
    withHarness({}, async (h) => {
      const issued = await h.issue()
      h.clock.advance(300_000)
      h.idp.fail('userinfo', 'server-error')
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 503)
      assert.equal(response.json().error, 'temporarily_unavailable')
      h.idp.heal()
      assert.equal((await h.call(issued.accessToken)).statusCode, 200)
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
