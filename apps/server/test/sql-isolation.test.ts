import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { SqlUser } from '@mxcp/duckdb-user-fns'
import { hostileSqlCorpus } from '@mxcp/testing/sql/hostile-sql'
import { openDatabase } from '../src/duckdb/open-database.js'
import { runCheckedQuery } from '../src/duckdb/run-checked-query.js'
import { runQuery } from '../src/duckdb/run-query.js'
import { errorMessage } from '../src/mcp/tool-result.js'
import { copyExampleProject } from './helpers/example-project.js'

function caller(login: string): Required<SqlUser> {
  return {
    userId: `id-${login}`,
    username: login,
    email: `${login}@example.com`,
    name: `Name ${login}`,
    provider: 'github',
    externalToken: `gho_${login}_${'x'.repeat(20)}`,
  }
}

test("20 users x 200 interleaved requests while one user runs the hostile corpus: every answer is its caller's", async () => {
  const project = copyExampleProject()
  const db = await openDatabase({
    path: join(project.path, 'data', 'demo.duckdb'),
    readonly: false,
    projectDir: project.path,
    seedFile: join(project.path, 'data', 'seed.sql'),
    // Long enough for every ordinary request on a loaded machine; the corpus's long queries hit it.
    queryTimeoutMs: 1_000,
  })
  try {
    const users = Array.from({ length: 20 }, (_, i) => caller(i === 0 ? 'ada' : `user${i}`))
    const mallory = caller('mallory')
    const corpus = hostileSqlCorpus({
      oauthDb: join(project.path, 'oauth.db'),
      keyFile: join(project.path, '.mxcp', 'keys', 'oauth.key'),
      home: project.path,
      project: project.path,
      config: join(project.path, 'config.yml'),
      outside: join(project.path, 'outside'),
    })
    const hostile = (async () => {
      const outcomes: { sql: string; ok: boolean; text: string }[] = []
      for (const entry of corpus) {
        try {
          const rows = await runCheckedQuery(db.pool, mallory, entry.sql, db.refusedFunctions)
          outcomes.push({ sql: entry.sql, ok: entry.refusal === undefined, text: JSON.stringify(rows) })
        } catch (error) {
          // What the caller would read: the tool error's text.
          const text = errorMessage(error).message
          outcomes.push({ sql: entry.sql, ok: entry.refusal?.test(text) === true, text })
        }
      }
      return outcomes
    })()
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const who = users[(i * 7) % users.length]!
        // Half through the built-in SQL tool's path, half as an operator tool runs SQL.
        const sql = `SELECT get_username() AS username, get_user_external_token() AS token, get_user_email() AS email,
          get_user_id() AS id, get_user_name() AS name, get_user_provider() AS provider,
          (SELECT count(*) FROM range(${20_000 + (i % 10) * 10_000})) AS work, get_username() AS again`
        const rows =
          i % 2 === 0
            ? await runCheckedQuery(db.pool, who, sql, db.refusedFunctions)
            : await runQuery(db.pool, who, sql)
        return { who, row: rows[0] }
      }),
    )
    for (const { who, row } of answers) {
      assert.deepEqual(row, {
        username: who.username,
        token: who.externalToken,
        email: who.email,
        id: who.userId,
        name: who.name,
        provider: who.provider,
        work: row?.['work'],
        again: who.username,
      })
    }
    const outcomes = await hostile
    assert.equal(outcomes.length, corpus.length)
    const wrong = outcomes.filter((outcome) => !outcome.ok)
    assert.deepEqual(wrong, [], 'every hostile statement was refused or harmless')
    for (const outcome of outcomes) {
      for (const other of users) {
        assert.ok(!outcome.text.includes(other.externalToken), 'no other user reached the hostile caller')
      }
    }
    const after = await runQuery(
      db.pool,
      users[0],
      'SELECT get_username() AS u, count(*) AS n FROM employees',
    )
    assert.deepEqual(after, [{ u: 'ada', n: 10 }])
  } finally {
    await db.close()
    project.dispose()
  }
})
