import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DuckDBInstance } from '@duckdb/node-api'
import { createUserPool, type UserPool } from '../src/index.js'
import { fileDatabase, memoryDatabase, rows, scalar, type TestDatabase, user } from './helpers.js'

const alice = user('alice')
const bob = user('bob')

describe('the user functions work anywhere a scalar works', () => {
  let db: TestDatabase
  let pool: UserPool

  before(async () => {
    db = await memoryDatabase()
    pool = await createUserPool(db.instance, { size: 2 })
    await pool.withUser(undefined, async (conn) => {
      await conn.run('CREATE TABLE documents (owner VARCHAR, title VARCHAR)')
      await conn.run("INSERT INTO documents VALUES ('alice', 'a1'), ('alice', 'a2'), ('bob', 'b1')")
      await conn.run('CREATE TABLE audit_log (user_id VARCHAR, action VARCHAR, logged_at TIMESTAMPTZ)')
      await conn.run('CREATE VIEW my_documents AS SELECT title FROM documents WHERE owner = get_username()')
      await conn.run('CREATE MACRO current_owner() AS get_username()')
      await conn.run(
        "CREATE MACRO github_headers() AS MAP {'Authorization': 'Bearer ' || get_user_external_token()}",
      )
    })
  })

  after(async () => {
    await pool.close()
    await db.close()
  })

  test('in a WHERE clause, a caller sees only their own rows', async () => {
    const titles = await pool.withUser(alice, (conn) =>
      rows(conn, 'SELECT title FROM documents WHERE owner = get_username() ORDER BY title'),
    )
    assert.deepEqual(titles, [['a1'], ['a2']])
  })

  test('in INSERT … VALUES, the row records the caller', async () => {
    const logged = await pool.withUser(bob, async (conn) => {
      await conn.run(
        "INSERT INTO audit_log (user_id, action, logged_at) VALUES (get_username(), 'data_query', NOW())",
      )
      return rows(conn, 'SELECT user_id, action FROM audit_log')
    })
    assert.deepEqual(logged, [['bob', 'data_query']])
  })

  test('inside a CTE', async () => {
    const value = await pool.withUser(alice, (conn) =>
      scalar(
        conn,
        "WITH me AS (SELECT get_username() AS u, get_user_email() AS e) SELECT u || '/' || e FROM me",
      ),
    )
    assert.equal(value, 'alice/alice@example.com')
  })

  test('inside a view defined by the project, each caller gets their own answer', async () => {
    const [forAlice, forBob] = await Promise.all([
      pool.withUser(alice, (conn) => rows(conn, 'SELECT title FROM my_documents ORDER BY title')),
      pool.withUser(bob, (conn) => rows(conn, 'SELECT title FROM my_documents ORDER BY title')),
    ])
    assert.deepEqual(forAlice, [['a1'], ['a2']])
    assert.deepEqual(forBob, [['b1']])
  })

  test('inside a macro defined by the project', async () => {
    assert.equal(await pool.withUser(bob, (conn) => scalar(conn, 'SELECT current_owner()')), 'bob')
  })

  test('in a string concatenation building an Authorization header', async () => {
    const headers = await pool.withUser(alice, (conn) =>
      scalar(
        conn,
        "SELECT map_extract(h, 'Authorization')[1] || ' / ' || map_extract(h, 'User-Agent')[1] FROM (SELECT MAP {'Authorization': 'Bearer ' || get_user_external_token(), 'User-Agent': 'MXCP-' || get_username()} AS h)",
      ),
    )
    assert.equal(headers, `Bearer ${alice.externalToken} / MXCP-alice`)
    const fromMacro = await pool.withUser(bob, (conn) =>
      scalar(conn, "SELECT map_extract(github_headers(), 'Authorization')[1]"),
    )
    assert.equal(fromMacro, `Bearer ${bob.externalToken}`)
  })

  test('in a prepared statement with parameters, run within the lease', async () => {
    const value = await pool.withUser(alice, async (conn) => {
      const statement = await conn.prepare(
        'SELECT count(*) FROM documents WHERE owner = get_username() AND title = $1',
      )
      statement.bind(['a2'])
      const reader = await statement.runAndReadAll()
      return reader.getRows()[0]?.[0]
    })
    assert.equal(value, 1n)
  })

  test('inside a lambda', async () => {
    const value = await pool.withUser(alice, (conn) =>
      scalar(conn, "SELECT list_transform(['a', 'b'], x -> x || ':' || get_username())"),
    )
    assert.deepEqual(value?.toString(), "['a:alice', 'b:alice']")
  })

  test('as a column default', async () => {
    const value = await pool.withUser(bob, async (conn) => {
      await conn.run('CREATE TEMP TABLE notes (body VARCHAR, author VARCHAR DEFAULT get_username())')
      await conn.run("INSERT INTO notes (body) VALUES ('hi')")
      const author = await scalar(conn, 'SELECT author FROM notes')
      await conn.run('DROP TABLE notes')
      return author
    })
    assert.equal(value, 'bob')
  })
})

describe('a view stored in a database file', () => {
  test('keeps answering for the current caller after the database is reopened', async () => {
    const db = await fileDatabase()
    try {
      const first = await createUserPool(db.instance, { size: 1 })
      await first.withUser(undefined, async (conn) => {
        await conn.run(
          "CREATE TABLE documents AS SELECT * FROM (VALUES ('alice', 'a1'), ('bob', 'b1')) t(owner, title)",
        )
        await conn.run('CREATE VIEW my_documents AS SELECT title FROM documents WHERE owner = get_username()')
      })
      await first.close()
      db.instance.closeSync()

      const reopened = await DuckDBInstance.create(db.path)
      try {
        const pool = await createUserPool(reopened, { size: 1 })
        const titles = await pool.withUser(bob, (conn) => rows(conn, 'SELECT title FROM my_documents'))
        await pool.close()
        assert.deepEqual(titles, [['b1']])
      } finally {
        reopened.closeSync()
      }
    } finally {
      await db.close()
    }
  })
})

describe('a database opened read-only', () => {
  test('still gets the functions, since they live in the system catalog and not in the file', async () => {
    const db = await fileDatabase()
    try {
      db.instance.closeSync()
      const readOnly = await DuckDBInstance.create(db.path, { access_mode: 'READ_ONLY' })
      try {
        const pool = await createUserPool(readOnly, { size: 1 })
        const value = await pool.withUser(alice, (conn) => scalar(conn, 'SELECT get_username()'))
        await pool.close()
        assert.equal(value, 'alice')
      } finally {
        readOnly.closeSync()
      }
    } finally {
      await db.close()
    }
  })
})

describe('bound values cannot inject SQL', () => {
  test("a username like o'brien'); -- comes back verbatim and matches only its own row", async () => {
    const db = await memoryDatabase()
    const pool = await createUserPool(db.instance, { size: 1 })
    const tricky = { ...alice, username: "o'brien'); --", email: "x'; DROP TABLE documents; --" }
    try {
      const result = await pool.withUser(tricky, async (conn) => {
        await conn.run('CREATE TABLE documents (owner VARCHAR, title VARCHAR)')
        await conn.run("INSERT INTO documents VALUES ('o''brien''); --', 'mine'), ('o', 'not mine')")
        return {
          username: await scalar(conn, 'SELECT get_username()'),
          email: await scalar(conn, 'SELECT get_user_email()'),
          titles: await rows(conn, 'SELECT title FROM documents WHERE owner = get_username()'),
          tables: await scalar(conn, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'documents'"),
        }
      })
      assert.deepEqual(result, {
        username: "o'brien'); --",
        email: "x'; DROP TABLE documents; --",
        titles: [['mine']],
        tables: 1n,
      })
    } finally {
      await pool.close()
      await db.close()
    }
  })
})
