import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { sessionRecord, T0 } from '@mxcp/auth-core/testing'
import type { PostgresStore } from '../src/postgres-store.js'
import { replicaStoresForTests } from './support/replica-stores.js'

const replicas = replicaStoresForTests()

/** What the auth plugin does around an upstream refresh: re-read inside the lock, refresh only if still stale. */
async function refreshIfStale(store: PostgresStore, sessionId: string, refreshes: { count: number }) {
  return store.withSessionLock(sessionId, async () => {
    const session = await store.getSession(sessionId)
    assert.ok(session)
    if ((session.upstream.expiresAt ?? 0) > T0) return session.upstream.accessToken
    refreshes.count++
    // The upstream call takes a while; the other replica must wait, not refresh too.
    await delay(20)
    const upstream = {
      accessToken: `refreshed-${refreshes.count}`,
      refreshToken: 'r2',
      expiresAt: T0 + 3_600_000,
    }
    await store.updateSession(sessionId, { upstream })
    return upstream.accessToken
  })
}

describe('withSessionLock across replicas', () => {
  test('an upstream refresh is single-flight across two replicas: one refresh, every caller gets its tokens', async () => {
    const session = sessionRecord({
      upstream: { accessToken: 'stale', refreshToken: 'r1', expiresAt: T0 - 1 },
    })
    await replicas.A.saveSession(session)
    const refreshes = { count: 0 }
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        refreshIfStale(i % 2 ? replicas.A : replicas.B, session.sessionId, refreshes),
      ),
    )
    assert.equal(refreshes.count, 1)
    assert.deepEqual(new Set(tokens), new Set(['refreshed-1']))
  })

  test('holders of one session lock never overlap, across replicas and within one', async () => {
    let inside = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? replicas.A : replicas.B).withSessionLock('overlap-session', async () => {
          inside++
          most = Math.max(most, inside)
          await delay(10)
          inside--
        }),
      ),
    )
    assert.equal(most, 1)
  })

  test('locks on different sessions do not wait for each other', async () => {
    let releaseFirst!: () => void
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve
    })
    let entered!: () => void
    const firstEntered = new Promise<void>((resolve) => {
      entered = resolve
    })
    const first = replicas.A.withSessionLock('session-one', async () => {
      entered()
      await firstHeld
    })
    await firstEntered
    // Would hang until the first one ends if the locks were not per session.
    const second = await replicas.B.withSessionLock('session-two', async () => 'ran')
    assert.equal(second, 'ran')
    releaseFirst()
    await first
  })

  test('what the locked function throws reaches the caller, and the lock is released', async () => {
    const failure = new Error('upstream said no')
    await assert.rejects(
      replicas.A.withSessionLock('failing-session', async () => {
        throw failure
      }),
      (error) => error === failure,
    )
    const result = await Promise.race([
      replicas.B.withSessionLock('failing-session', async () => 'taken'),
      delay(2_000).then(() => 'still locked'),
    ])
    assert.equal(result, 'taken')
  })

  test('the lock returns what the function returns', async () => {
    assert.deepEqual(await replicas.A.withSessionLock('value-session', async () => ({ ok: 1 })), { ok: 1 })
  })
})
