import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createUserPool, type SqlUser, type UserPool } from '../src/index.js'
import { memoryDatabase, scalar, type TestDatabase, user } from './helpers.js'

/** The functions the guide and the server promise, and the field of SqlUser each reads. */
const FUNCTIONS: readonly (readonly [string, Exclude<keyof SqlUser, 'attributes'>])[] = [
  ['get_user_external_token', 'externalToken'],
  ['get_username', 'username'],
  ['get_user_provider', 'provider'],
  ['get_user_email', 'email'],
  ['get_user_id', 'userId'],
  ['get_user_name', 'name'],
]

const alice = user('alice')

describe('each user function', () => {
  let db: TestDatabase
  let pool: UserPool
  let disabledDb: TestDatabase
  let disabledPool: UserPool

  before(async () => {
    db = await memoryDatabase()
    pool = await createUserPool(db.instance, { size: 1 })
    // A server with authentication disabled never has a user: it always passes undefined.
    disabledDb = await memoryDatabase()
    disabledPool = await createUserPool(disabledDb.instance, { size: 1 })
  })

  after(async () => {
    await pool.close()
    await db.close()
    await disabledPool.close()
    await disabledDb.close()
  })

  for (const [fn, field] of FUNCTIONS) {
    test(`${fn}() returns the authenticated caller's ${field}`, async () => {
      const value = await pool.withUser(alice, (conn) => scalar(conn, `SELECT ${fn}()`))
      assert.equal(value, alice[field])
    })

    test(`${fn}() returns '' (not NULL) for a request with no authenticated user, on the connection that just served one`, async () => {
      await pool.withUser(alice, (conn) => scalar(conn, `SELECT ${fn}()`))
      const [value, isNull, type] = await pool.withUser(undefined, async (conn) => {
        const reader = await conn.runAndReadAll(`SELECT ${fn}(), ${fn}() IS NULL, typeof(${fn}())`)
        return reader.getRows()[0] ?? []
      })
      assert.deepEqual([value, isNull, type], ['', false, 'VARCHAR'])
    })

    test(`${fn}() returns '' (not NULL, no error) when authentication is disabled`, async () => {
      const [value, isNull] = await disabledPool.withUser(undefined, async (conn) => {
        const reader = await conn.runAndReadAll(`SELECT ${fn}(), ${fn}() IS NULL`)
        return reader.getRows()[0] ?? []
      })
      assert.deepEqual([value, isNull], ['', false])
    })
  }

  test("get_user_attribute(name) returns the caller's named attribute, '' when absent, NULL-named, or an Object prototype name", async () => {
    const read = (sql: string) => pool.withUser(alice, (conn) => scalar(conn, sql))
    assert.equal(await read("SELECT get_user_attribute('instance_url')"), 'https://alice.my.salesforce.com')
    assert.equal(await read("SELECT get_user_attribute('cloud_id')"), '')
    assert.equal(await read('SELECT get_user_attribute(NULL)'), '')
    assert.equal(await read("SELECT get_user_attribute('constructor')"), '')
    const perRow = await pool.withUser(alice, async (conn) => {
      const reader = await conn.runAndReadAll(
        "SELECT get_user_attribute(n) FROM (VALUES ('hd'), ('missing'), ('instance_url')) t(n) ORDER BY n",
      )
      return reader.getRows().map((row) => row[0])
    })
    assert.deepEqual(perRow, ['example.com', 'https://alice.my.salesforce.com', ''])
    const anonymous = await pool.withUser(undefined, (conn) =>
      scalar(conn, "SELECT get_user_attribute('hd')"),
    )
    assert.equal(anonymous, '', 'no caller, no attributes (the connection that served alice forgot hers)')
  })

  test("a field the caller lacks, or that is null, reads as ''", async () => {
    const partial = { username: 'bob', email: null } as unknown as SqlUser
    const values = await pool.withUser(partial, async (conn) => {
      const reader = await conn.runAndReadAll(
        'SELECT get_username(), get_user_email(), get_user_external_token(), get_user_name()',
      )
      return reader.getRows()[0]
    })
    assert.deepEqual(values, ['bob', '', '', ''])
  })

  test("a connection that is not from a pool sees '' from every function", async () => {
    const conn = await db.instance.connect()
    try {
      const reader = await conn.runAndReadAll(`SELECT ${FUNCTIONS.map(([fn]) => `${fn}()`).join(', ')}`)
      assert.deepEqual(reader.getRows()[0], ['', '', '', '', '', ''])
    } finally {
      conn.disconnectSync()
    }
  })

  test('a field that is not a string is refused, naming the field but not the value', async () => {
    const bad = { externalToken: { secret: 'gho_should_not_echo' } } as unknown as SqlUser
    await assert.rejects(
      pool.withUser(bad, async () => 'ran'),
      (error: unknown) => {
        assert.ok(error instanceof TypeError)
        assert.match(error.message, /SqlUser\.externalToken must be a string/)
        assert.doesNotMatch(error.message, /gho_should_not_echo/)
        return true
      },
    )
  })
})
