import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api'
import {
  createUserPool,
  findShadowingObjects,
  PoolBusyError,
  QueryTimeoutError,
  UserFunctionShadowedError,
} from '../src/index.js'
import { deferred, fileDatabase, memoryDatabase, rows, scalar, sleep, user } from './helpers.js'

const alice = user('alice')
const bob = user('bob')

/** A one-connection pool: every lease reuses (or replaces) the same connection. */
async function singleConnection(): Promise<{
  pool: Awaited<ReturnType<typeof createUserPool>>
  discarded: string[][]
  close: () => Promise<void>
}> {
  const db = await memoryDatabase()
  const discarded: string[][] = []
  const pool = await createUserPool(db.instance, { size: 1, onDiscard: (p) => discarded.push([...p]) })
  return {
    pool,
    discarded,
    close: async () => {
      await pool.close()
      await db.close()
    },
  }
}

const connectionId = (conn: DuckDBConnection): number => conn.clientContext.connectionId

describe('a connection goes back to the pool clean', () => {
  const dirtyLeases: { rule: string; sql: string; problem: RegExp; after: string; expected: unknown }[] = [
    {
      rule: 'an open transaction is rolled back: the next lease does not run inside it',
      sql: "CREATE TABLE t (v VARCHAR); BEGIN; INSERT INTO t VALUES ('uncommitted')",
      problem: /open transaction/,
      after: 'SELECT count(*) FROM t',
      expected: 0n,
    },
    {
      rule: 'a temporary table is gone',
      sql: "CREATE TEMP TABLE leftover AS SELECT 'x' AS v",
      problem: /temporary objects/,
      after: "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'leftover'",
      expected: 0n,
    },
    {
      rule: 'a temporary macro shadowing get_username() is gone',
      sql: "CREATE TEMP MACRO get_username() AS 'alice'",
      problem: /get_username\(\) resolving to another object/,
      after: 'SELECT get_username()',
      expected: 'bob',
    },
    {
      rule: 'a changed search_path is gone',
      sql: "CREATE SCHEMA IF NOT EXISTS s; SET search_path = 's'",
      problem: /search_path/,
      after: "SELECT current_setting('search_path')",
      expected: '',
    },
    {
      rule: 'USE of another schema is gone',
      sql: 'CREATE SCHEMA IF NOT EXISTS s2; USE s2',
      problem: /current schema|search_path/,
      after: 'SELECT current_schema()',
      expected: 'main',
    },
    {
      rule: 'a session variable is gone',
      sql: "SET VARIABLE secret = 'alice-data'",
      problem: /session variables/,
      after: 'SELECT count(*) FROM duckdb_variables()',
      expected: 0n,
    },
    {
      rule: 'a named prepared statement is gone',
      sql: 'PREPARE p AS SELECT get_user_external_token()',
      problem: /prepared statements/,
      after: 'SELECT count(*) FROM duckdb_prepared_statements()',
      expected: 0n,
    },
  ]
  for (const { rule, sql, problem, after, expected } of dirtyLeases) {
    test(`${rule}; the connection is closed and replaced, never reused`, async () => {
      const { pool, discarded, close } = await singleConnection()
      try {
        const first = await pool.withUser(alice, async (conn) => {
          await conn.run(sql)
          return connectionId(conn)
        })
        const next = await pool.withUser(bob, async (conn) => ({
          id: connectionId(conn),
          value: await scalar(conn, after),
          name: await scalar(conn, 'SELECT get_username()'),
        }))
        assert.notEqual(next.id, first, 'a new connection')
        assert.equal(next.value, expected)
        assert.equal(next.name, 'bob')
        assert.equal(discarded.length, 1)
        assert.ok(
          discarded[0]!.some((p) => problem.test(p)),
          JSON.stringify(discarded),
        )
        assert.ok(!JSON.stringify(discarded).includes('alice'), 'the reasons name no value')
      } finally {
        await close()
      }
    })
  }

  test('a clean lease keeps its connection: nothing is replaced', async () => {
    const { pool, discarded, close } = await singleConnection()
    try {
      const ids = []
      for (const caller of [alice, bob, alice]) {
        ids.push(await pool.withUser(caller, async (conn) => connectionId(conn)))
      }
      assert.equal(new Set(ids).size, 1)
      assert.deepEqual(discarded, [])
    } finally {
      await close()
    }
  })

  test('a macro named like a user function in the main schema (operator SQL) stops the pool from running any SQL; findShadowingObjects names it', async () => {
    const db = await fileDatabase()
    const discarded: string[][] = []
    const pool = await createUserPool(db.instance, { size: 1, onDiscard: (p) => discarded.push([...p]) })
    try {
      await pool.withUser(alice, (conn) => conn.run("CREATE MACRO get_user_email() AS 'someone@else'"))
      assert.ok(
        discarded[0]?.includes('get_user_email() resolving to another object'),
        JSON.stringify(discarded),
      )
      let ran = false
      await assert.rejects(
        pool.withUser(bob, async () => {
          ran = true
        }),
        (error: unknown) =>
          error instanceof UserFunctionShadowedError && /get_user_email/.test(error.message),
      )
      assert.equal(ran, false, 'no SQL runs while a user function is shadowed')
      const inspect = await db.instance.connect()
      try {
        assert.deepEqual(await findShadowingObjects(inspect), [
          { qualifiedName: 'test.main.get_user_email', type: 'macro' },
        ])
      } finally {
        inspect.disconnectSync()
      }
    } finally {
      await pool.close()
      await db.close()
    }
  })
})

test('a lease that registers its own get_username() through the Node API stops the pool from running any SQL', async () => {
  const db = await memoryDatabase()
  const pool = await createUserPool(db.instance, { size: 2 })
  try {
    await pool.withUser(alice, async (conn) => {
      conn.registerScalarFunction(
        DuckDBScalarFunction.create({
          name: 'get_username',
          returnType: VARCHAR,
          mainFunction: (_info, input, output) => {
            for (let row = 0; row < input.rowCount; row++) output.setItem(row, 'alice')
            output.flush()
          },
        }),
      )
    })
    await assert.rejects(
      pool.withUser(bob, (conn) => scalar(conn, 'SELECT get_username()')),
      UserFunctionShadowedError,
    )
  } finally {
    await pool.close()
    await db.close()
  }
})

describe('limits', () => {
  test('a query running past the time limit is interrupted and the caller gets QueryTimeoutError; the connection serves the next caller', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1, queryTimeoutMs: 150 })
    try {
      const started = Date.now()
      await assert.rejects(
        pool.withUser(alice, (conn) => conn.run('SELECT count(*) FROM range(1000000000000)')),
        (error: unknown) => error instanceof QueryTimeoutError && /150 ms/.test(error.message),
      )
      assert.ok(Date.now() - started < 2_000, 'interrupted, not run to the end')
      assert.equal(await pool.withUser(bob, (conn) => scalar(conn, 'SELECT get_username()')), 'bob')
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('a lease that outlives the time limit rejects with QueryTimeoutError even if fn returns: its result may be cut short', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1, queryTimeoutMs: 50 })
    try {
      await assert.rejects(
        pool.withUser(alice, async (conn) => {
          const rows = await scalar(conn, 'SELECT 1')
          await sleep(150)
          return rows
        }),
        QueryTimeoutError,
      )
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('one user holds at most its share of the pool; another user starts at once while it floods', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 4, maxConnectionsPerUser: 2 })
    const release = deferred()
    let aliceActive = 0
    let aliceMax = 0
    try {
      const flood = Array.from({ length: 12 }, () =>
        pool.withUser(alice, async (conn) => {
          aliceActive++
          aliceMax = Math.max(aliceMax, aliceActive)
          await release.promise
          await conn.run('SELECT 1')
          aliceActive--
        }),
      )
      await sleep(20)
      const started = Date.now()
      const name = await pool.withUser(bob, (conn) => scalar(conn, 'SELECT get_username()'))
      const waited = Date.now() - started
      assert.equal(name, 'bob')
      assert.ok(waited < 200, `bob waited ${waited} ms`)
      assert.equal(aliceMax, 2, 'alice never held more than her share')
      release.resolve()
      await Promise.all(flood)
    } finally {
      release.resolve()
      await pool.close()
      await db.close()
    }
  })

  test('a call that finds no connection within the bounded wait fails with PoolBusyError and runs nothing', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1, maxWaitMs: 50 })
    const release = deferred()
    try {
      const holder = pool.withUser(alice, async () => release.promise)
      let ran = false
      await assert.rejects(
        pool.withUser(bob, async () => {
          ran = true
        }),
        PoolBusyError,
      )
      assert.equal(ran, false)
      release.resolve()
      await holder
      assert.deepEqual(await pool.withUser(bob, (conn) => rows(conn, 'SELECT get_username()')), [['bob']])
    } finally {
      release.resolve()
      await pool.close()
      await db.close()
    }
  })
})
