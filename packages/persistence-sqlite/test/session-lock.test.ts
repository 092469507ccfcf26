import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { type OAuthStore, StoreUnavailableError } from '@mxcp/auth-core'
import { FakeClock, T0 } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const KEY = 'test-key'
/** Long enough for several polls of a waiting caller (every 25–50 ms). */
const SEVERAL_POLLS_MS = 200

/** A promise resolved from outside. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

function lock(store: OAuthStore): NonNullable<OAuthStore['withSessionLock']> {
  assert.ok(store.withSessionLock, 'the SQLite store implements withSessionLock')
  return store.withSessionLock.bind(store)
}

test('in one process, callers of one session take turns while other sessions go ahead', async () => {
  const store = await openSqliteStore({ path: tempDatabasePath(), encryptionKey: KEY })
  try {
    const withLock = lock(store)
    const events: string[] = []
    const first = gate()
    const one = withLock('s1', async () => {
      events.push('first in')
      await first.opened
      events.push('first out')
      return 1
    })
    const two = withLock('s1', async () => {
      events.push('second in')
      return 2
    })
    const other = await withLock('s2', async () => 'other session did not wait')
    assert.equal(other, 'other session did not wait')
    await delay(SEVERAL_POLLS_MS)
    assert.deepEqual(events, ['first in'])
    first.open()
    assert.deepEqual(await Promise.all([one, two]), [1, 2])
    assert.deepEqual(events, ['first in', 'first out', 'second in'])
  } finally {
    await store.close()
  }
})

test('two connections on one file (as two processes): the second waits for the first to give the lock back', async () => {
  const path = tempDatabasePath()
  const a = await openSqliteStore({ path, encryptionKey: KEY })
  const b = await openSqliteStore({ path, encryptionKey: KEY })
  try {
    const held = gate()
    const entered = gate()
    let bIn = false
    const first = lock(a)('session', async () => {
      entered.open()
      await held.opened
      return 'a'
    })
    await entered.opened
    const second = lock(b)('session', async () => {
      bIn = true
      return 'b'
    })
    await delay(SEVERAL_POLLS_MS)
    assert.equal(bIn, false, 'b waits while a holds the lease')
    held.open()
    assert.deepEqual(await Promise.all([first, second]), ['a', 'b'])
  } finally {
    await a.close()
    await b.close()
  }
})

test('the lease of a holder that died runs out after 30 s on the injected clock', async () => {
  const path = tempDatabasePath()
  const clock = new FakeClock(T0)
  const store = await openSqliteStore({ path, encryptionKey: KEY, clock })
  const raw = new Database(path)
  raw
    .prepare('INSERT INTO session_locks (session_id, holder, expires_at) VALUES (?, ?, ?)')
    .run('s', 'dead', T0 + 30_000)
  raw.close()
  try {
    let entered = false
    const waiting = lock(store)('s', async () => {
      entered = true
    })
    await delay(SEVERAL_POLLS_MS)
    assert.equal(entered, false)
    clock.advance(30_000)
    await waiting
    assert.equal(entered, true)
  } finally {
    await store.close()
  }
})

test('a lock not given within 35 s ends in StoreUnavailableError, and the function never runs', async () => {
  const path = tempDatabasePath()
  const clock = new FakeClock(T0)
  const store = await openSqliteStore({ path, encryptionKey: KEY, clock })
  const raw = new Database(path)
  raw
    .prepare('INSERT INTO session_locks (session_id, holder, expires_at) VALUES (?, ?, ?)')
    .run('s', 'stuck', T0 + 3_600_000)
  raw.close()
  try {
    let ran = false
    const waiting = lock(store)('s', async () => {
      ran = true
    })
    await delay(SEVERAL_POLLS_MS)
    clock.advance(35_000)
    await assert.rejects(waiting, StoreUnavailableError)
    assert.equal(ran, false)
  } finally {
    await store.close()
  }
})

test('the lock is given back when the function throws', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: KEY })
  try {
    await assert.rejects(
      lock(store)('s', async () => {
        throw new Error('upstream refresh failed')
      }),
      /upstream refresh failed/,
    )
    const raw = new Database(path, { readonly: true })
    const rows = raw.prepare('SELECT count(*) AS n FROM session_locks').get() as { n: number }
    raw.close()
    assert.equal(rows.n, 0)
    assert.equal(await lock(store)('s', async () => 'again'), 'again')
  } finally {
    await store.close()
  }
})
