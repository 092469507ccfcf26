import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  DuckDBConnection,
  type DuckDBMaterializedResult,
  DuckDBScalarFunction,
  VARCHAR,
} from '@duckdb/node-api'
import { createUserPool, QueryTimeoutError, type SqlUser, type UserPool } from '../src/index.js'
import { memoryDatabase, type TestDatabase, user } from './helpers.js'

/** Reads every user function; `$x` sits in an untyped position, so DuckDB binds it on every run. */
const EVERY_FUNCTION = `SELECT get_username() AS username, get_user_id() AS id, get_user_email() AS email,
  get_user_name() AS name, get_user_provider() AS provider, get_user_external_token() AS token,
  get_user_attribute('instance_url') AS instance_url, get_user_attribute('hd') AS hd, $x AS x`

/** A typed parameter: DuckDB plans this once, and would keep the first caller's name. */
const FILTERED = 'SELECT w FROM (SELECT get_username() AS w) WHERE w <> $x'

/** The first row of a result, as JS values. */
function firstRow(result: DuckDBMaterializedResult): Record<string, unknown> {
  const columns = result.columnNames()
  const chunk = result.getChunk(0)
  const row: Record<string, unknown> = {}
  const values = chunk.getRows()[0] ?? []
  for (const [index, value] of values.entries()) row[columns[index] as string] = value
  return row
}

/** What EVERY_FUNCTION must answer for `caller`. */
function expected(caller: Required<SqlUser>): Record<string, unknown> {
  return {
    username: caller.username,
    id: caller.userId,
    email: caller.email,
    name: caller.name,
    provider: caller.provider,
    token: caller.externalToken,
    instance_url: caller.attributes['instance_url'] ?? '',
    hd: caller.attributes['hd'] ?? '',
    x: 'x',
  }
}

function everyFunction(pool: UserPool, caller: SqlUser): Promise<Record<string, unknown>> {
  return pool.withUser(caller, async (_conn, statements) =>
    firstRow(await statements.run(EVERY_FUNCTION, { x: 'x' }, { x: VARCHAR })),
  )
}

function filtered(pool: UserPool, caller: SqlUser): Promise<unknown> {
  return pool.withUser(caller, async (_conn, statements) => {
    const result = await statements.run(FILTERED, { x: 'nobody' }, { x: VARCHAR })
    return firstRow(result)['w']
  })
}

/** Counts `DuckDBConnection.prepare` calls per SQL text while installed. */
class PrepareCounter {
  readonly #original = DuckDBConnection.prototype.prepare
  readonly #counts = new Map<string, number>()

  constructor() {
    const counts = this.#counts
    const original = this.#original
    DuckDBConnection.prototype.prepare = function (this: DuckDBConnection, sql: string) {
      counts.set(sql, (counts.get(sql) ?? 0) + 1)
      return original.call(this, sql)
    }
  }

  count(sql: string): number {
    return this.#counts.get(sql) ?? 0
  }

  restore(): void {
    DuckDBConnection.prototype.prepare = this.#original
  }
}

describe('statements kept across leases', () => {
  let db: TestDatabase
  let prepares: PrepareCounter
  before(async () => {
    db = await memoryDatabase()
    prepares = new PrepareCounter()
  })
  after(async () => {
    prepares.restore()
    await db.close()
  })

  for (const size of [1, 3]) {
    test(`two callers alternating on the same SQL always read their own identity (pool of ${size})`, async () => {
      const pool = await createUserPool(db.instance, { size, maxConnectionsPerUser: size })
      const alice = user('alice')
      const bob = user('bob')
      try {
        const before = prepares.count(EVERY_FUNCTION)
        for (let round = 0; round < 12; round++) {
          for (const caller of [alice, bob]) {
            assert.deepEqual(await everyFunction(pool, caller), expected(caller))
            assert.equal(await filtered(pool, caller), caller.username)
          }
        }
        // Concurrent callers, too: each lease sees only its own caller.
        const callers: Required<SqlUser>[] = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? alice : bob))
        const answers = await Promise.all(callers.map((caller) => everyFunction(pool, caller)))
        assert.deepEqual(answers, callers.map(expected))
        const filteredAnswers = await Promise.all(callers.map((caller) => filtered(pool, caller)))
        assert.deepEqual(
          filteredAnswers,
          callers.map((caller) => caller.username),
        )
        // The statement was kept, not prepared for each of the 40 calls.
        assert.ok(prepares.count(EVERY_FUNCTION) - before < 40, 'kept statements are reused')
      } finally {
        await pool.close()
      }
    })
  }

  test('a caller whose attributes or external token changed reads the new values', async () => {
    const pool = await createUserPool(db.instance, { size: 1 })
    const first = user('carol')
    const renewed: Required<SqlUser> = {
      ...first,
      externalToken: 'gho_renewed_token_of_carol',
      attributes: { instance_url: 'https://carol-2.my.salesforce.com' },
    }
    try {
      assert.deepEqual(await everyFunction(pool, first), expected(first))
      assert.deepEqual(await everyFunction(pool, first), expected(first))
      assert.deepEqual(await everyFunction(pool, renewed), expected(renewed))
      assert.equal(await filtered(pool, renewed), 'carol')
      assert.deepEqual(await everyFunction(pool, first), expected(first))
    } finally {
      await pool.close()
    }
  })

  test('a kept statement reads the files a glob matches at each run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kept-statements-'))
    const pool = await createUserPool(db.instance, { size: 1 })
    const untyped = `SELECT count(*) AS n, $x AS x FROM glob('${dir}/*')`
    const typed = `SELECT count(*) AS n FROM glob('${dir}/*') WHERE file <> $x`
    // DuckDB lists the files when it binds this one, and does not bind it again when it runs.
    const planned = `SELECT count(*) AS n FROM glob('${dir}/*')`
    const count = (sql: string): Promise<unknown> =>
      pool.withUser(user('dave'), async (_conn, statements) => {
        const values: Record<string, string> = sql.includes('$x') ? { x: 'x' } : {}
        return Number(firstRow(await statements.run(sql, values, { x: VARCHAR }))['n'])
      })
    try {
      for (let files = 1; files <= 3; files++) {
        await writeFile(join(dir, `file-${files}`), '')
        assert.equal(await count(untyped), files)
        assert.equal(await count(typed), files)
        assert.equal(await count(planned), files)
      }
    } finally {
      await pool.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('a lease cut short by the time limit drops its connection’s kept statements', async () => {
    const pool = await createUserPool(db.instance, { size: 1, queryTimeoutMs: 150 })
    const erin = user('erin')
    try {
      assert.deepEqual(await everyFunction(pool, erin), expected(erin))
      const kept = prepares.count(EVERY_FUNCTION)
      assert.deepEqual(await everyFunction(pool, erin), expected(erin))
      assert.equal(prepares.count(EVERY_FUNCTION), kept, 'reused while nothing went wrong')
      await assert.rejects(
        pool.withUser(erin, async (conn, statements) => {
          await statements.run(EVERY_FUNCTION, { x: 'x' }, { x: VARCHAR })
          await conn.run('SELECT count(*) FROM range(1000000000000)')
        }),
        QueryTimeoutError,
      )
      assert.deepEqual(await everyFunction(pool, erin), expected(erin))
      assert.equal(prepares.count(EVERY_FUNCTION), kept + 1, 'prepared again after the timeout')
    } finally {
      await pool.close()
    }
  })

  test('a lease that did something other than run SQL text drops its connection’s kept statements', async () => {
    const pool = await createUserPool(db.instance, { size: 1 })
    const hank = user('hank')
    try {
      assert.deepEqual(await everyFunction(pool, hank), expected(hank))
      const kept = prepares.count(EVERY_FUNCTION)
      // Registering a function is no SQL text: the lease is opaque.
      await pool.withUser(hank, async (conn) =>
        conn.registerScalarFunction(
          DuckDBScalarFunction.create({
            name: 'kept_statements_opaque_probe',
            returnType: VARCHAR,
            mainFunction: (_info, input, output) => {
              for (let row = 0; row < input.rowCount; row++) output.setItem(row, 'probe')
              output.flush()
            },
          }),
        ),
      )
      assert.deepEqual(await everyFunction(pool, hank), expected(hank))
      assert.equal(prepares.count(EVERY_FUNCTION), kept + 1, 'prepared again after the opaque lease')
    } finally {
      await pool.close()
    }
  })

  test('kept statements are no named prepared statements: a checked lease keeps its connection', async () => {
    const discarded: string[][] = []
    const pool = await createUserPool(db.instance, {
      size: 1,
      onDiscard: (problems) => discarded.push([...problems]),
    })
    const frank = user('frank')
    try {
      assert.deepEqual(await everyFunction(pool, frank), expected(frank))
      const kept = prepares.count(EVERY_FUNCTION)
      // Not a SELECT: the pool checks the connection's state after this lease.
      await pool.withUser(frank, (conn) => conn.run('CREATE TABLE IF NOT EXISTS checked (a INTEGER)'))
      assert.deepEqual(discarded, [])
      assert.deepEqual(await everyFunction(pool, frank), expected(frank))
      assert.equal(prepares.count(EVERY_FUNCTION), kept, 'still kept after the check')
    } finally {
      await pool.close()
    }
  })

  test('a kept statement never runs with a value bound by an earlier call', async () => {
    const pool = await createUserPool(db.instance, { size: 1 })
    const grace = user('grace')
    const run = (values: Record<string, string>): Promise<Record<string, unknown>> =>
      pool.withUser(grace, async (_conn, statements) =>
        firstRow(await statements.run('SELECT $a AS a, $b AS b', values)),
      )
    try {
      assert.deepEqual(await run({ a: 'one', b: 'two' }), { a: 'one', b: 'two' })
      await assert.rejects(run({ a: 'three' }))
      assert.deepEqual(await run({ a: 'four', b: 'five' }), { a: 'four', b: 'five' })
    } finally {
      await pool.close()
    }
  })
})
