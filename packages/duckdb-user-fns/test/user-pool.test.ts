import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  createUserPool,
  installUserFunctions,
  USER_FUNCTIONS,
  UserPoolClosedError,
  withUser,
} from '../src/index.js'
import { deferred, memoryDatabase, scalar, sleep, user } from './helpers.js'

const alice = user('alice')
const bob = user('bob')

test('when every connection is leased, waiters are served in arrival order', async () => {
  const db = await memoryDatabase()
  const pool = await createUserPool(db.instance, { size: 1 })
  try {
    const hold = deferred()
    const holder = pool.withUser(alice, () => hold.promise)
    const served: number[] = []
    const waiters = Array.from({ length: 6 }, (_, i) =>
      pool.withUser(user(`waiter${i}`), async (conn) => {
        served.push(i)
        assert.equal(await scalar(conn, 'SELECT get_username()'), `waiter${i}`)
        await sleep(i % 2)
      }),
    )
    await sleep(5)
    assert.deepEqual(served, [])
    hold.resolve()
    await Promise.all([holder, ...waiters])
    assert.deepEqual(served, [0, 1, 2, 3, 4, 5])
  } finally {
    await pool.close()
    await db.close()
  }
})

test('close() lets running and queued requests finish, then refuses new ones with UserPoolClosedError', async () => {
  const db = await memoryDatabase()
  const pool = await createUserPool(db.instance, { size: 1 })
  try {
    const hold = deferred()
    const running = pool.withUser(alice, async (conn) => {
      await hold.promise
      return scalar(conn, 'SELECT get_username()')
    })
    const queued = pool.withUser(bob, (conn) => scalar(conn, 'SELECT get_username()'))
    let closed = false
    const closing = pool.close().then(() => {
      closed = true
    })
    await assert.rejects(
      pool.withUser(undefined, async () => 'ran'),
      (error: unknown) =>
        error instanceof UserPoolClosedError && /called after close\(\)/.test(error.message),
    )
    await sleep(5)
    assert.equal(closed, false)
    hold.resolve()
    assert.equal(await running, 'alice')
    assert.equal(await queued, 'bob')
    await closing
    assert.equal(closed, true)
    await pool.close()
  } finally {
    await db.close()
  }
})

test('the pool size must be a positive integer', async () => {
  const db = await memoryDatabase()
  try {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(createUserPool(db.instance, { size }), RangeError)
    }
  } finally {
    await db.close()
  }
})

test('installUserFunctions is idempotent and never orphans a running pool', async () => {
  const db = await memoryDatabase()
  const conn = await db.instance.connect()
  try {
    await installUserFunctions(conn)
    await installUserFunctions(conn)
    const pool = await createUserPool(db.instance, { size: 2 })
    await installUserFunctions(conn)
    const names = USER_FUNCTIONS.map(({ name }) => `'${name}'`).join(', ')
    const reader = await conn.runAndReadAll(
      `SELECT count(*), count(DISTINCT function_name) FROM duckdb_functions() WHERE function_name IN (${names})`,
    )
    assert.deepEqual(reader.getRows()[0], [6n, 6n])
    assert.equal(await pool.withUser(alice, (c) => scalar(c, 'SELECT get_username()')), 'alice')
    await pool.close()
  } finally {
    conn.disconnectSync()
    await db.close()
  }
})

test('withUser(pool, user, fn) runs fn on the pool with user bound', async () => {
  const db = await memoryDatabase()
  const pool = await createUserPool(db.instance)
  try {
    assert.equal(
      await withUser(pool, bob, (conn) => scalar(conn, 'SELECT get_user_email()')),
      'bob@example.com',
    )
  } finally {
    await pool.close()
    await db.close()
  }
})

test('a caller object changed between two calls is read afresh; a frozen one is bound as it is, call after call', async () => {
  const db = await memoryDatabase()
  const pool = await createUserPool(db.instance, { size: 1 })
  const read = (caller: Parameters<typeof withUser>[1]) =>
    withUser(pool, caller, async (conn) =>
      scalar(conn, "SELECT get_username() || '/' || get_user_attribute('team')"),
    )
  try {
    const changing = { username: 'carol', attributes: { team: 'red' } as Record<string, string> }
    assert.equal(await read(changing), 'carol/red')
    changing.username = 'dave'
    changing.attributes = { team: 'blue' }
    assert.equal(await read(changing), 'dave/blue')
    const frozen = Object.freeze({ username: 'erin', attributes: Object.freeze({ team: 'green' }) })
    assert.equal(await read(frozen), 'erin/green')
    assert.equal(await read(bob), 'bob/')
    assert.equal(await read(frozen), 'erin/green')
  } finally {
    await pool.close()
    await db.close()
  }
})
