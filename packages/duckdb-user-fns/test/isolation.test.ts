import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api'
import { createUserPool, LeaseEndedError, REDACTED } from '../src/index.js'
import {
  deferred,
  fileDatabase,
  memoryDatabase,
  rows,
  scalar,
  sleep,
  type TestDatabase,
  user,
} from './helpers.js'

const alice = user('alice')
const bob = user('bob')

/** What a call threw, or 'ran' if it completed. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
    return 'ran'
  } catch (error) {
    return error
  }
}

async function eachRequestSeesOnlyItsOwnCaller(db: TestDatabase): Promise<void> {
  const size = 4
  const pool = await createUserPool(db.instance, { size })
  const users = Array.from({ length: 20 }, (_, i) => user(`user${i}`))
  let active = 0
  let maxActive = 0
  const servedBy = new Map<number, Set<string>>()
  try {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const caller = users[(i * 7) % users.length]!
        return pool.withUser(caller, async (conn) => {
          active++
          maxActive = Math.max(maxActive, active)
          try {
            const id = conn.clientContext.connectionId
            servedBy.set(id, (servedBy.get(id) ?? new Set()).add(caller.username))
            const first = await rows(
              conn,
              'SELECT get_username(), get_user_external_token(), get_user_email()',
            )
            // Let other requests run between the two reads: a JS-side wait, then slow SQL
            // reading the caller again around real work.
            await sleep(i % 4)
            const second = await scalar(
              conn,
              `SELECT get_username() || ':' || (SELECT count(*) FROM range(${50_000 + (i % 10) * 20_000}))::VARCHAR || ':' || get_username()`,
            )
            return { caller, first, second, work: 50_000 + (i % 10) * 20_000 }
          } finally {
            active--
          }
        })
      }),
    )
    for (const { caller, first, second, work } of answers) {
      assert.deepEqual(first, [[caller.username, caller.externalToken, caller.email]])
      assert.equal(second, `${caller.username}:${work}:${caller.username}`)
    }
    // The requests really overlapped, and every connection was rebound for many callers.
    assert.equal(maxActive, size)
    assert.equal(servedBy.size, size)
    for (const callers of servedBy.values()) assert.ok(callers.size > 1)
  } finally {
    await pool.close()
  }
}

describe('isolation between concurrent requests', () => {
  test('200 interleaved requests from 20 users each see only their own caller (in-memory)', async () => {
    const db = await memoryDatabase()
    try {
      await eachRequestSeesOnlyItsOwnCaller(db)
    } finally {
      await db.close()
    }
  })

  test('200 interleaved requests from 20 users each see only their own caller (database file)', async () => {
    const db = await fileDatabase()
    try {
      await eachRequestSeesOnlyItsOwnCaller(db)
    } finally {
      await db.close()
    }
  })

  test("a later anonymous request on the same pooled connection sees ''", async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      const before = await pool.withUser(alice, async (conn) => ({
        id: conn.clientContext.connectionId,
        name: await scalar(conn, 'SELECT get_username()'),
      }))
      const afterwards = await pool.withUser(undefined, async (conn) => ({
        id: conn.clientContext.connectionId,
        token: await scalar(conn, 'SELECT get_user_external_token() || get_username() || get_user_email()'),
      }))
      assert.equal(before.name, 'alice')
      assert.equal(afterwards.id, before.id)
      assert.equal(afterwards.token, '')
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test("a connection whose fn throws is cleared and returned: the next request on it sees ''", async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      let failedOn = -1
      await assert.rejects(
        pool.withUser(alice, async (conn) => {
          failedOn = conn.clientContext.connectionId
          await conn.run('SELECT * FROM no_such_table')
        }),
        /no_such_table/,
      )
      const next = await pool.withUser(undefined, async (conn) => ({
        id: conn.clientContext.connectionId,
        name: await scalar(conn, 'SELECT get_username()'),
      }))
      assert.deepEqual(next, { id: failedOn, name: '' })
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('two databases in one process keep their callers apart, though DuckDB numbers their connections alike', async () => {
    const one = await memoryDatabase()
    const two = await memoryDatabase()
    const poolOne = await createUserPool(one.instance, { size: 1 })
    const poolTwo = await createUserPool(two.instance, { size: 1 })
    try {
      const gate = deferred()
      const read = async (conn: DuckDBConnection) => {
        await gate.promise
        return { id: conn.clientContext.connectionId, name: await scalar(conn, 'SELECT get_username()') }
      }
      const both = Promise.all([poolOne.withUser(alice, read), poolTwo.withUser(bob, read)])
      gate.resolve()
      const [inOne, inTwo] = await both
      assert.equal(inOne.id, inTwo.id, 'premise: connection ids are only unique within one database')
      assert.equal(inOne.name, 'alice')
      assert.equal(inTwo.name, 'bob')
    } finally {
      await poolOne.close()
      await poolTwo.close()
      await one.close()
      await two.close()
    }
  })

  test('two pools on one database share the functions and keep their callers apart', async () => {
    const db = await memoryDatabase()
    const first = await createUserPool(db.instance, { size: 1 })
    const second = await createUserPool(db.instance, { size: 1 })
    try {
      const gate = deferred()
      const read = async (conn: DuckDBConnection) => {
        await gate.promise
        return scalar(conn, 'SELECT get_username()')
      }
      const both = Promise.all([first.withUser(alice, read), second.withUser(bob, read)])
      gate.resolve()
      assert.deepEqual(await both, ['alice', 'bob'])
    } finally {
      await first.close()
      await second.close()
      await db.close()
    }
  })
})

describe('a lease ends with the request', () => {
  test('the connection and statements handed to fn stop working when the lease ends', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      let kept: DuckDBConnection | undefined
      let statement: DuckDBPreparedStatement | undefined
      await pool.withUser(alice, async (conn) => {
        kept = conn
        statement = await conn.prepare('SELECT get_username()')
      })
      // The same connection now serves bob: nothing kept from alice's lease may run on it.
      // Each attempt is awaited, so a query that wrongly ran has finished before the pool closes.
      const outcomes = await pool.withUser(bob, async () => [
        await outcome(() => kept!.run('SELECT get_username()')),
        await outcome(() => statement!.runAndReadAll()),
      ])
      assert.ok(outcomes[0] instanceof LeaseEndedError, `the kept connection ran: ${inspect(outcomes[0])}`)
      assert.ok(outcomes[1] instanceof LeaseEndedError, `the kept statement ran: ${inspect(outcomes[1])}`)
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('a query fn did not await runs for its own caller, before the connection serves the next request', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      await pool.withUser(undefined, (conn) => conn.run('CREATE TABLE seen (who VARCHAR)'))
      let forgotten: Promise<unknown> = Promise.resolve()
      await pool.withUser(alice, async (conn) => {
        forgotten = conn.run('INSERT INTO seen SELECT get_username()')
      })
      const seenByBob = await pool.withUser(bob, (conn) => rows(conn, 'SELECT who FROM seen'))
      await forgotten
      assert.deepEqual(seenByBob, [['alice']])
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('fn may not close the connection it leased', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      await assert.rejects(
        pool.withUser(alice, async (conn) => conn.closeSync()),
        /closeSync is not allowed on a leased connection/,
      )
      assert.equal(await pool.withUser(bob, (conn) => scalar(conn, 'SELECT get_username()')), 'bob')
    } finally {
      await pool.close()
      await db.close()
    }
  })
})

describe('the external token stays out of errors and logs', () => {
  /** Runs `work`, collecting whatever is written to the console, stdout and stderr meanwhile. */
  async function capturingOutput(work: () => Promise<void>): Promise<string> {
    const written: string[] = []
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
    const originals = methods.map((method) => console[method])
    const stdoutWrite = process.stdout.write
    const stderrWrite = process.stderr.write
    for (const method of methods) {
      console[method] = (...args: unknown[]) => {
        written.push(inspect(args))
      }
    }
    process.stdout.write = ((chunk: unknown, ...rest: never[]) => {
      written.push(String(chunk))
      return stdoutWrite.call(process.stdout, chunk as string, ...rest)
    }) as typeof process.stdout.write
    process.stderr.write = ((chunk: unknown, ...rest: never[]) => {
      written.push(String(chunk))
      return stderrWrite.call(process.stderr, chunk as string, ...rest)
    }) as typeof process.stderr.write
    try {
      await work()
    } finally {
      methods.forEach((method, i) => {
        console[method] = originals[i]!
      })
      process.stdout.write = stdoutWrite
      process.stderr.write = stderrWrite
    }
    return written.join('\n')
  }

  function assertNoToken(error: unknown, token: string): void {
    assert.ok(error instanceof Error)
    assert.ok(
      error.message.includes(REDACTED),
      `expected the token to have been redacted from: ${error.message}`,
    )
    assert.ok(!error.message.includes(token), 'the message carries the token')
    assert.ok(!String(error.stack).includes(token), 'the stack carries the token')
    assert.ok(!inspect(error, { depth: 10 }).includes(token), 'the inspected error carries the token')
  }

  test('a query that fails on the token does not put the token in the error or the log', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      let thrown: unknown
      const output = await capturingOutput(async () => {
        // DuckDB quotes the value it failed to convert: "Could not convert string '…' to INT32".
        thrown = await pool
          .withUser(alice, (conn) => conn.run('SELECT CAST(get_user_external_token() AS INTEGER)'))
          .then(
            () => undefined,
            (error: unknown) => error,
          )
      })
      assertNoToken(thrown, alice.externalToken)
      assert.match(String((thrown as Error).message), /Could not convert/)
      assert.ok(!output.includes(alice.externalToken), 'the token was written to the console')
    } finally {
      await pool.close()
      await db.close()
    }
  })

  test('an error fn throws with the token in its message or cause is redacted', async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    try {
      const thrown = await pool
        .withUser(alice, async (conn) => {
          const token = await scalar(conn, 'SELECT get_user_external_token()')
          throw new Error(`upstream refused ${String(token)}`, {
            cause: new Error(`token was ${String(token)}`),
          })
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      assertNoToken(thrown, alice.externalToken)
      assertNoToken((thrown as Error).cause, alice.externalToken)
    } finally {
      await pool.close()
      await db.close()
    }
  })
})
