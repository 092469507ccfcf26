import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import { FakeClock } from '../src/clock.js'
import { SessionUsers } from '../src/guard/session-users.js'
import { MemoryStore, type OAuthStore, type UpstreamProvider, validateAuthConfig } from '../src/index.js'
import { sessionRecord } from '../src/testing/index.js'
import { rotatingProvider } from '../src/testing/store-contract-replicas.js'

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger

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
  // The memory store's own session lock: what PostgreSQL and SQLite give across processes
  // (the store contract runs this on every store, across two replicas).
  const store = new MemoryStore()
  const provider = rotatingProvider(clock)
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
