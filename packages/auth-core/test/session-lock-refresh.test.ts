import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import { FakeClock } from '../src/clock.js'
import { SessionUsers } from '../src/guard/session-users.js'
import {
  MemoryStore,
  type OAuthStore,
  type UpstreamProvider,
  type UpstreamTokens,
  validateAuthConfig,
} from '../src/index.js'
import { sessionRecord } from '../src/testing/index.js'

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger

/** A MemoryStore with a session lock, as a store shared by replicas (PostgreSQL) has one. */
function lockingStore(): OAuthStore {
  const store = new MemoryStore()
  const tails = new Map<string, Promise<unknown>>()
  return Object.assign(store, {
    withSessionLock<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(sessionId) ?? Promise.resolve()
      const run = previous.then(fn, fn)
      tails.set(
        sessionId,
        run.catch(() => undefined),
      )
      return run
    },
  })
}

/** A provider whose refresh rotates the refresh token and is slow enough for replicas to overlap. */
function rotatingProvider(): UpstreamProvider & { refreshes: number } {
  const provider = {
    id: 'github',
    label: 'GitHub',
    callbackPath: '/github/callback',
    refreshes: 0,
    authorizationUrl: async () => new URL('https://idp.invalid/authorize'),
    exchangeCode: async (): Promise<UpstreamTokens> => ({ accessToken: 'unused' }),
    userInfo: async () => ({ userId: '42', username: 'octocat', rawProfile: {} }),
    async refresh(tokens: UpstreamTokens): Promise<UpstreamTokens> {
      provider.refreshes++
      await new Promise((resolve) => setTimeout(resolve, 20))
      return {
        accessToken: `${tokens.accessToken}+1`,
        refreshToken: `${tokens.refreshToken}+1`,
        expiresAt: clock.now() + 3_600_000,
      }
    },
  }
  return provider
}

const clock = new FakeClock()

function replica(store: OAuthStore, provider: UpstreamProvider): SessionUsers {
  return new SessionUsers({
    store,
    provider,
    clock,
    ttlMs: 300_000,
    authorization: validateAuthConfig({}).authorization,
    log: silent,
  })
}

test('an expired upstream token is refreshed once across replicas that share a session lock', async () => {
  const store = lockingStore()
  const provider = rotatingProvider()
  const session = sessionRecord({
    userFetchedAt: clock.now(),
    createdAt: clock.now(),
    expiresAt: clock.now() + 86_400_000,
    upstream: { accessToken: 'at', refreshToken: 'rt', expiresAt: clock.now() - 1 },
  })
  await store.saveSession(session)

  const [a, b] = await Promise.all([
    replica(store, provider).get(session.sessionId),
    replica(store, provider).get(session.sessionId),
  ])

  assert.equal(provider.refreshes, 1)
  assert.equal(a.upstream.accessToken, 'at+1')
  assert.equal(b.upstream.accessToken, 'at+1')
  assert.equal((await store.getSession(session.sessionId))?.upstream.refreshToken, 'rt+1')
})
