import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DuckDBInstance } from '@duckdb/node-api'
import { createUserPool, type SqlUser } from '@mxcp/duckdb-user-fns'
import { runQuery } from '../src/duckdb/run-query.js'
import { bindParameters } from '../src/duckdb/sql-parameters.js'

/** A tool's SQL reading the caller; `$x` untyped, so the pool keeps the statement across calls. */
const WHO = `SELECT get_username() AS username, get_user_external_token() AS token,
  get_user_attribute('hd') AS hd, $x AS x`
/** A tool's SQL that DuckDB plans once: a kept plan would answer with the first caller's name. */
const FILTERED = 'SELECT w FROM (SELECT get_username() AS w) WHERE w <> $x'

const X = [{ name: 'x', type: 'string' as const }]

function caller(login: string, token = `gho_${login}`, hd = `${login}.example.com`): SqlUser {
  return {
    userId: `id-${login}`,
    username: login,
    provider: 'github',
    externalToken: token,
    attributes: { hd },
  }
}

describe('a YAML tool’s SQL run through kept statements', () => {
  for (const size of [1, 3]) {
    test(`two users calling the same tool SQL in turn always get their own identity (pool of ${size})`, async () => {
      const instance = await DuckDBInstance.create(':memory:')
      const pool = await createUserPool(instance, { size, maxConnectionsPerUser: size })
      const callers = [caller('alice'), caller('bob')]
      try {
        for (let round = 0; round < 10; round++) {
          for (const user of callers) {
            const [who] = await runQuery(pool, user, WHO, bindParameters(X, { x: 'x' }, ['x']))
            assert.deepEqual(who, {
              username: user.username,
              token: user.externalToken,
              hd: user.attributes?.['hd'],
              x: 'x',
            })
            const filtered = await runQuery(pool, user, FILTERED, bindParameters(X, { x: 'nobody' }, ['x']))
            assert.deepEqual(filtered, [{ w: user.username }])
          }
        }
        const both = await Promise.all(
          Array.from({ length: 12 }, (_, i) => {
            const user = callers[i % 2] as SqlUser
            return runQuery(pool, user, WHO, bindParameters(X, { x: 'x' }, ['x'])).then(
              (rows) => rows[0]?.['username'] === user.username,
            )
          }),
        )
        assert.ok(both.every(Boolean))
      } finally {
        await pool.close()
        instance.closeSync()
      }
    })
  }

  test('a user whose token and attributes changed gets the new values at once', async () => {
    const instance = await DuckDBInstance.create(':memory:')
    const pool = await createUserPool(instance, { size: 1 })
    const who = (user: SqlUser) => runQuery(pool, user, WHO, bindParameters(X, { x: 'x' }, ['x']))
    try {
      assert.equal((await who(caller('carol')))[0]?.['token'], 'gho_carol')
      const renewed = caller('carol', 'gho_carol_renewed', 'renewed.example.com')
      const [row] = await who(renewed)
      assert.equal(row?.['token'], 'gho_carol_renewed')
      assert.equal(row?.['hd'], 'renewed.example.com')
    } finally {
      await pool.close()
      instance.closeSync()
    }
  })
})
