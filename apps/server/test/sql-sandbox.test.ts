import assert from 'node:assert/strict'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DuckDBInstance } from '@duckdb/node-api'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { LoopbackHttpsServer } from '@mxcp/testing/tls/loopback-https-server'
import { createTestCertificate } from '@mxcp/testing/tls/test-certificate'
import { stringify } from 'yaml'
import { loggableProblem } from '../src/mcp/tool-result.js'
import { copyExampleProject, type TempDir, writeFiles } from './helpers/example-project.js'
import { type RunningServer, startInProcess } from './helpers/in-process-server.js'
import { connectAnonymous, resultJson, resultText } from './helpers/mcp-client.js'
import { writeDemoAuthConfig } from './helpers/user-config.js'

/** The example project's site file with SQL tools on and the given duckdb/sql_tools settings. */
function writeSite(
  root: string,
  duckdb: Record<string, unknown>,
  sqlTools: Record<string, unknown> = {},
): void {
  writeFileSync(
    join(root, 'mxcp-site.yml'),
    stringify({
      mxcp: 1,
      project: 'demo',
      profile: 'default',
      sql_tools: { enabled: true, ...sqlTools },
      profiles: { default: { duckdb: { path: 'data/demo.duckdb', ...duckdb } } },
    }),
  )
}

const OPERATOR_TOOLS = {
  'data/seed.sql': `CREATE TABLE IF NOT EXISTS employees AS SELECT * FROM read_csv('data/employees.csv', header = true);
CREATE TABLE IF NOT EXISTS audit_log (who VARCHAR, action VARCHAR);
`,
  'tools/log_visit.yml': `mxcp: 1
tool:
  name: log_visit
  parameters:
    - { name: action, type: string, description: What was done }
  return: { type: integer }
  source:
    code: |
      INSERT INTO audit_log VALUES (get_username(), $action);
`,
  'tools/count_log.yml': `mxcp: 1
tool:
  name: count_log
  return: { type: integer }
  source:
    code: SELECT count(*) FROM audit_log
`,
  'tools/csv_rows.yml': `mxcp: 1
tool:
  name: csv_rows
  return: { type: integer }
  source:
    code: SELECT count(*) FROM read_csv('data/employees.csv', header = true)
`,
  'tools/unlock.yml': `mxcp: 1
tool:
  name: unlock
  source:
    code: SET enable_external_access = true
`,
  'tools/fetch.yml': `mxcp: 1
tool:
  name: fetch
  parameters:
    - { name: url, type: string, description: URL }
  source:
    code: SELECT * FROM read_text($url)
`,
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args })
  return { isError: result.isError === true, text: resultText(result) }
}

describe('DuckDB is locked down when the server opens it', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client
  let https: LoopbackHttpsServer
  const startedIn = process.cwd()

  before(async () => {
    https = await LoopbackHttpsServer.start(await createTestCertificate(), (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('[{"ok":true}]')
    })
    project = copyExampleProject()
    writeFiles(project.path, OPERATOR_TOOLS)
    writeSite(
      project.path,
      { query_timeout: 0.3, allowed_paths: [`${https.origin}/api/`] },
      { max_rows: 20, max_bytes: 2048 },
    )
    // As `mxcp serve` is run: from the project folder, so that 'data/x.csv' means its data/.
    process.chdir(project.path)
    running = await startInProcess({ projectDir: project.path })
    client = await connectAnonymous(running.url)
  })
  after(async () => {
    process.chdir(startedIn)
    await client?.close()
    await running?.close()
    await https?.close()
    project?.dispose()
  })

  test('seed.sql reads a CSV from the data folder, and operator SQL reads data/ by relative path', async () => {
    assert.deepEqual(await call(client, 'csv_rows'), { isError: false, text: '10' })
    const rows = resultJson(
      await client.callTool({
        name: 'execute_sql_query',
        arguments: { sql: 'SELECT count(*) AS n FROM employees' },
      }),
    )
    assert.deepEqual(rows, [{ n: 10 }])
  })

  test('an operator tool that INSERTs into audit_log works, exactly as written', async () => {
    const before = Number((await call(client, 'count_log')).text)
    const inserted = await call(client, 'log_visit', { action: "it's fine" })
    assert.equal(inserted.isError, false, inserted.text)
    assert.equal(Number((await call(client, 'count_log')).text), before + 1)
  })

  test('the configuration is locked after set-up: not even operator SQL can change a setting', async () => {
    const unlock = await call(client, 'unlock')
    assert.equal(unlock.isError, true)
    assert.match(unlock.text, /the configuration has been locked/)
    const still = resultJson(
      await client.callTool({
        name: 'execute_sql_query',
        arguments: { sql: "SELECT current_setting('enable_external_access') AS open" },
      }),
    )
    assert.deepEqual(still, [{ open: false }])
  })

  test('an allow-listed HTTPS prefix passes the access check while any other URL is refused; httpfs is never loaded on demand', async () => {
    // httpfs is not bundled with @duckdb/node-api and cannot be installed offline: an allowed
    // URL therefore stops at "requires the extension httpfs" (past the access check), any other
    // URL at the access check itself. Neither reaches the server.
    const allowed = await call(client, 'fetch', { url: `${https.origin}/api/users` })
    assert.equal(allowed.isError, true)
    assert.match(allowed.text, /requires the extension httpfs to be loaded/)
    assert.doesNotMatch(allowed.text, /Permission Error/)
    for (const url of [`${https.origin}/other`, `${https.origin}/apiary`, 'https://example.com/api/']) {
      const refused = await call(client, 'fetch', { url })
      assert.equal(refused.isError, true, url)
      assert.match(refused.text, /Permission Error: Cannot access file .* disabled by configuration/, url)
    }
    assert.equal(https.requests.length, 0, 'no request left the server')
  })

  test('a query past duckdb.query_timeout is interrupted with a clear tool error, and the next call is served', async () => {
    const started = Date.now()
    const slow = await call(client, 'execute_sql_query', { sql: 'SELECT count(*) FROM range(1000000000000)' })
    assert.equal(slow.isError, true)
    assert.match(slow.text, /ran longer than the time limit of 300 ms and was interrupted/)
    assert.ok(Date.now() - started < 3_000)
    assert.equal((await call(client, 'csv_rows')).text, '10')
  })

  test('a result past sql_tools.max_rows or max_bytes is a tool error naming the cap', async () => {
    const rows = await call(client, 'execute_sql_query', { sql: 'SELECT * FROM range(21)' })
    assert.deepEqual(rows, {
      isError: true,
      text: 'The result has more than 20 rows; add a LIMIT or narrow the query',
    })
    const bytes = await call(client, 'execute_sql_query', { sql: "SELECT repeat('x', 3000) AS big" })
    assert.deepEqual(bytes, {
      isError: true,
      text: 'The result is larger than 2048 bytes; select fewer columns or rows',
    })
    assert.equal((await call(client, 'execute_sql_query', { sql: 'SELECT * FROM range(20)' })).isError, false)
  })

  test('list_tables and get_table_schema keep working', async () => {
    const tables = resultJson(await client.callTool({ name: 'list_tables', arguments: {} })) as {
      name: string
    }[]
    assert.deepEqual(tables.map((table) => table.name).sort(), ['audit_log', 'employees'])
    const columns = resultJson(
      await client.callTool({ name: 'get_table_schema', arguments: { table_name: 'audit_log' } }),
    )
    assert.deepEqual(columns, [
      { name: 'who', type: 'VARCHAR', nullable: true },
      { name: 'action', type: 'VARCHAR', nullable: true },
    ])
  })
})

test("started from another folder, a relative 'data/' path never reaches the working folder's data/", async () => {
  const project = copyExampleProject()
  const elsewhere = copyExampleProject()
  const startedIn = process.cwd()
  writeFiles(elsewhere.path, { 'data/secret.txt': 'not for SQL' })
  writeFiles(project.path, OPERATOR_TOOLS)
  process.chdir(elsewhere.path)
  try {
    const running = await startInProcess({ projectDir: project.path, overrides: { sqlTools: true } })
    const client = await connectAnonymous(running.url)
    try {
      assert.equal(
        (await call(client, 'count_log')).isError,
        false,
        'the seed ran, reading data/ of the project',
      )
      const relative = await call(client, 'fetch', { url: 'data/secret.txt' })
      assert.equal(relative.isError, true)
      assert.match(relative.text, /Permission Error/)
      assert.doesNotMatch(relative.text, /not for SQL/)
      const absolute = await call(client, 'csv_rows')
      assert.equal(absolute.isError, true, 'relative paths need the server started in the project folder')
    } finally {
      await client.close()
      await running.close()
    }
  } finally {
    process.chdir(startedIn)
    project.dispose()
    elsewhere.dispose()
  }
})

describe('start-up refuses an unsafe database or allow-list', () => {
  test('extensions listed in mxcp-site.yml are loaded before the lock-down; one that is not installed stops start-up, and none is downloaded', async () => {
    const project = copyExampleProject()
    try {
      const site = (extensions: string[]): void =>
        writeFileSync(
          join(project.path, 'mxcp-site.yml'),
          stringify({ mxcp: 1, project: 'demo', extensions, sql_tools: { enabled: true } }),
        )
      site(['json'])
      const running = await startInProcess({ projectDir: project.path })
      await running.close()
      // httpfs is not bundled with @duckdb/node-api and cannot be installed offline.
      site(['httpfs'])
      await assert.rejects(
        startInProcess({ projectDir: project.path }),
        /The DuckDB extension httpfs \(mxcp-site\.yml extensions\) cannot be loaded: install it first/,
      )
    } finally {
      project.dispose()
    }
  })

  test('a DuckDB file that already holds a macro named like a user function stops start-up, naming the object', async () => {
    const project = copyExampleProject()
    try {
      const instance = await DuckDBInstance.create(join(project.path, 'data', 'demo.duckdb'))
      const connection = await instance.connect()
      await connection.run("CREATE SCHEMA extra; CREATE MACRO extra.get_user_external_token() AS 'x'")
      await connection.run("CREATE MACRO get_username() AS 'ada'")
      connection.disconnectSync()
      instance.closeSync()
      await assert.rejects(
        startInProcess({ projectDir: project.path, overrides: { sqlTools: true } }),
        (error: unknown) => {
          assert.ok(error instanceof Error)
          assert.match(error.message, /demo\.extra\.get_user_external_token \(macro\)/)
          assert.match(error.message, /demo\.main\.get_username \(macro\)/)
          return true
        },
      )
    } finally {
      project.dispose()
    }
  })

  test('an OAuth database inside the data folder, or a key file inside an allowed folder, stops start-up before anything is written', async () => {
    const project = copyExampleProject()
    try {
      const config = join(project.path, 'config.yml')
      const inData = join(project.path, 'data', 'oauth.db')
      const writeConfig = (persistence: Record<string, unknown>): void => {
        writeDemoAuthConfig(config, {
          provider: 'github',
          github: { client_id: 'id', client_secret: 'secret', callback_path: '/github/callback' },
          persistence: { type: 'sqlite', ...persistence },
        })
      }
      writeConfig({ path: inData, encryption_key: 'k' })
      await assert.rejects(
        startInProcess({ projectDir: project.path, userConfigPath: config }),
        new RegExp(`${inData.replaceAll('/', '\\/')} holds OAuth secrets and lies inside`),
      )
      assert.equal(existsSync(inData), false, 'no OAuth database was created')

      const keyFile = join(project.path, 'shared', 'oauth.key')
      writeConfig({ path: join(project.path, 'state', 'oauth.db'), key_file: keyFile })
      writeSite(project.path, { allowed_paths: [`${join(project.path, 'shared')}/`] })
      await assert.rejects(
        startInProcess({ projectDir: project.path, userConfigPath: config }),
        /oauth\.key holds OAuth secrets and lies inside .*shared\//,
      )
      assert.equal(existsSync(join(project.path, 'state')), false)
      assert.deepEqual(readdirSync(join(project.path, 'data')).sort(), ['employees.csv', 'seed.sql'])
    } finally {
      project.dispose()
    }
  })
})

test('SQL errors are logged without the values DuckDB quotes, nor the SQL it repeats', () => {
  const message =
    "Conversion Error: Could not convert string 'xho_secretTokenValue' to INT32\n\nLINE 1: SELECT CAST('x' || substr(get_user_external_token(), 2) AS INT)"
  assert.equal(loggableProblem(message), "Conversion Error: Could not convert string '…' to INT32")
  assert.equal(
    loggableProblem('Binder Error: column "it""s" not found'),
    "Binder Error: column '…' not found",
  )
})

describe('the statement check judges before anything is bound', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client

  before(async () => {
    project = copyExampleProject()
    writeFiles(project.path, {
      'data/seed.sql': `CREATE TABLE IF NOT EXISTS employees AS SELECT * FROM read_csv('data/employees.csv', header = true);
CREATE SEQUENCE IF NOT EXISTS ids;
`,
      'tools/next_id.yml': `mxcp: 1
tool:
  name: next_id
  return: { type: integer }
  source:
    code: SELECT nextval('ids')
`,
    })
    running = await startInProcess({ projectDir: project.path, overrides: { sqlTools: true } })
    client = await connectAnonymous(running.url)
  })
  after(async () => {
    await client?.close()
    await running?.close()
    project?.dispose()
  })

  test('a side-effect function in a constant table-function argument or a refused statement never runs: the sequence does not move', async () => {
    const first = Number((await call(client, 'next_id')).text)
    for (const sql of [
      "SELECT * FROM read_csv('data/employees.csv', columns = {'a': nextval('ids')::VARCHAR})",
      "COPY employees TO 'data/out.csv' (DELIMITER nextval('ids')::VARCHAR)",
      "CALL pragma_table_info(nextval('ids')::VARCHAR)",
      "SET VARIABLE x = nextval('ids')",
    ]) {
      const answer = await call(client, 'execute_sql_query', { sql })
      assert.equal(answer.isError, true, sql)
      assert.match(answer.text, /^Refused: /, sql)
    }
    assert.equal(Number((await call(client, 'next_id')).text), first + 1, 'nextval ran only for next_id')
    assert.equal(existsSync(join(project.path, 'data', 'out.csv')), false)
  })
})
