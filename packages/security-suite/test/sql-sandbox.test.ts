import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import { type HostileSql, type HostileSqlClass, hostileSqlCorpus } from '@mxcp/testing/sql/hostile-sql'
import { type GitHubStandIn, startGitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { MxcpServe } from '../src/mxcp-serve.js'
import { fileSnapshot, type SandboxProject, sandboxProject } from '../src/sql-sandbox-project.js'

const ADA = {
  id: 1815,
  login: 'ada',
  name: 'Ada Lovelace',
  email: null,
  emails: [{ email: 'ada@example.com', primary: true, verified: true, visibility: 'private' as const }],
  orgs: [],
}
const GRACE = {
  id: 1906,
  login: 'grace',
  name: 'Grace Hopper',
  email: 'grace@example.com',
  emails: [{ email: 'grace@example.com', primary: true, verified: true, visibility: 'public' as const }],
  orgs: [],
}

interface Configuration {
  readonly name: string
  readonly readonly: boolean
  readonly keyInConfig: boolean
}

const CONFIGURATIONS: readonly Configuration[] = [
  { name: 'read-write, encryption_key in config', readonly: false, keyInConfig: true },
  { name: 'read-write, generated key file', readonly: false, keyInConfig: false },
  { name: '--readonly, encryption_key in config', readonly: true, keyInConfig: true },
  { name: '--readonly, generated key file', readonly: true, keyInConfig: false },
]

/** What `my_data` answers for one user. */
type Identity = Record<string, unknown>

/** One running configuration: its server and two users signed in at once. */
interface Running {
  readonly configuration: Configuration
  readonly sandbox: SandboxProject
  readonly server: MxcpServe
  readonly ada: Client
  readonly grace: Client
  adaIdentity: Identity
  graceIdentity: Identity
  corpus: HostileSql[]
  catalog: unknown
}

function text(result: unknown): { isError: boolean; text: string } {
  const content = (result as { content?: { text?: string }[]; isError?: boolean }) ?? {}
  return { isError: content.isError === true, text: content.content?.[0]?.text ?? '' }
}

async function myData(client: Client): Promise<Identity> {
  const answer = text(await client.callTool({ name: 'my_data', arguments: {} }))
  assert.equal(answer.isError, false, answer.text)
  return JSON.parse(answer.text) as Identity
}

async function sql(client: Client, query: string): Promise<{ isError: boolean; text: string }> {
  return text(await client.callTool({ name: 'execute_sql_query', arguments: { sql: query } }))
}

async function signIn(github: GitHubStandIn, url: string, user: typeof ADA | typeof GRACE): Promise<Client> {
  github.user = user
  return connectWithOAuth(url, new HeadlessOAuthClient({ clientName: `sql sandbox ${user.login}` }))
}

const CATALOG_SQL = `SELECT (SELECT list(table_name ORDER BY table_name) FROM duckdb_tables()) AS tables,
  (SELECT count(*) FROM duckdb_functions() WHERE database_name <> 'system') AS functions,
  (SELECT list(schema_name ORDER BY schema_name) FROM duckdb_schemas()) AS schemas`

let github: GitHubStandIn
const running: Running[] = []

before(async () => {
  github = await startGitHubStandIn({ user: ADA })
  const sandboxes = await Promise.all(
    CONFIGURATIONS.map((configuration) =>
      sandboxProject({ github, keyInConfig: configuration.keyInConfig, seeded: configuration.readonly }),
    ),
  )
  const servers = await Promise.all(
    CONFIGURATIONS.map((configuration, i) => {
      const sandbox = sandboxes[i]!
      const args = ['--project', sandbox.project, '--host', '127.0.0.1', '--port', '0']
      if (configuration.readonly) args.push('--readonly')
      return MxcpServe.start(args, { HOME: sandbox.home, MXCP_CONFIG: sandbox.config }, sandbox.project)
    }),
  )
  for (const [i, configuration] of CONFIGURATIONS.entries()) {
    const sandbox = sandboxes[i]!
    const server = servers[i]!
    const ada = await signIn(github, server.url, ADA)
    const grace = await signIn(github, server.url, GRACE)
    const keys = join(sandbox.home, '.mxcp', 'keys')
    const keyFile = existsSync(keys)
      ? join(keys, readdirSync(keys)[0] ?? 'none.key')
      : join(keys, 'oauth.db.key')
    const corpus = hostileSqlCorpus({
      oauthDb: sandbox.oauthDb,
      keyFile,
      home: sandbox.home,
      project: sandbox.project,
      config: sandbox.config,
      outside: sandbox.outside,
    })
    running.push({
      configuration,
      sandbox,
      server,
      ada,
      grace,
      adaIdentity: await myData(ada),
      graceIdentity: await myData(grace),
      corpus,
      catalog: JSON.parse((await sql(grace, CATALOG_SQL)).text),
    })
  }
})

after(async () => {
  for (const { ada, grace, server, sandbox } of running) {
    await ada.close()
    await grace.close()
    await server.stop()
    sandbox.dispose()
  }
  await github?.close()
})

/**
 * Sends every statement of `cls` as ada, in every configuration, and checks: the refusal (or a
 * harmless answer), no file written or created, and grace's next call answers exactly her data.
 */
async function sendClass(cls: HostileSqlClass): Promise<number> {
  let sent = 0
  for (const run of running) {
    for (const entry of run.corpus.filter((item) => item.class === cls)) {
      const where = `${run.configuration.name}: ${entry.sql}`
      const folders = [run.sandbox.project, run.sandbox.home, run.sandbox.outside]
      const files = fileSnapshot(folders)
      const answer = await sql(run.ada, entry.sql)
      if (entry.refusal === undefined) {
        assert.equal(answer.isError, false, `${where} => ${answer.text}`)
        assert.ok(!answer.text.includes(String(run.graceIdentity['token'])), where)
      } else {
        assert.equal(answer.isError, true, `${where} => ${answer.text}`)
        assert.match(answer.text, entry.refusal, where)
      }
      assert.deepEqual(await myData(run.grace), run.graceIdentity, `grace after ${where}`)
      assert.deepEqual(fileSnapshot(folders), files, `files after ${where}`)
      sent++
    }
    assert.deepEqual(await myData(run.ada), run.adaIdentity, `ada after the ${cls} statements`)
  }
  return sent
}

describe('hostile SQL through execute_sql_query, two users signed in, four configurations', () => {
  test('file reads and listings outside the data folder are refused (/etc/passwd, the OAuth database, its -wal, the key file, the config)', async () => {
    assert.ok((await sendClass('file-read')) >= 18 * 4)
  })

  test('file writes and database changes are refused (COPY, EXPORT, ATTACH, DDL, DML, CHECKPOINT), also under --readonly', async () => {
    assert.ok((await sendClass('file-write')) >= 17 * 4)
  })

  test('extensions are never installed or loaded, on request or on demand', async () => {
    assert.ok((await sendClass('extension')) >= 8 * 4)
  })

  test('settings cannot be changed or read around: SET, RESET, PRAGMA, USE, SET VARIABLE, logging, secrets', async () => {
    assert.ok((await sendClass('setting')) >= 16 * 4)
  })

  test('macros and objects shadowing the user functions cannot be created in any schema', async () => {
    assert.ok((await sendClass('shadowing')) >= 11 * 4)
  })

  test('transactions cannot be opened, committed or rolled back', async () => {
    assert.ok((await sendClass('transaction')) >= 6 * 4)
  })

  test('functions with side effects are refused wherever they hide in a query', async () => {
    assert.ok((await sendClass('side-effect')) >= 12 * 4)
  })

  test('functions that run SQL from a string are refused', async () => {
    assert.ok((await sendClass('sql-from-string')) >= 8 * 4)
  })

  test('several statements in one call are refused', async () => {
    assert.ok((await sendClass('multi-statement')) >= 6 * 4)
  })

  test('long queries are interrupted at the time limit while the other user is served at once', async () => {
    for (const run of running) {
      for (const entry of run.corpus.filter((item) => item.class === 'long-query')) {
        const started = Date.now()
        const hostile = sql(run.ada, entry.sql).then((answer) => ({ answer, at: Date.now() - started }))
        const graceData = await myData(run.grace)
        const graceAt = Date.now() - started
        const { answer, at } = await hostile
        assert.deepEqual(graceData, run.graceIdentity)
        assert.ok(graceAt < at, `grace (${graceAt} ms) was served before the long query ended (${at} ms)`)
        assert.equal(answer.isError, true)
        assert.match(answer.text, entry.refusal ?? /never/)
        assert.ok(at < 5_000, `interrupted after ${at} ms`)
      }
    }
  })

  test('after the whole corpus nothing was created in DuckDB and each user still gets exactly their own data', async () => {
    for (const run of running) {
      assert.ok(run.corpus.length >= 80)
      assert.deepEqual(JSON.parse((await sql(run.grace, CATALOG_SQL)).text), run.catalog)
      assert.deepEqual(await myData(run.ada), run.adaIdentity)
      assert.deepEqual(await myData(run.grace), run.graceIdentity)
    }
  })

  test("the guide's SQL works for each user: user functions in tools, resources and the SQL tool, WHERE owner = get_username(), an audit_log INSERT unless --readonly", async () => {
    for (const run of running) {
      assert.deepEqual(
        { ...run.adaIdentity, token: typeof run.adaIdentity['token'] },
        {
          username: 'ada',
          email: 'ada@example.com',
          provider: 'github',
          user_id: '1815',
          name: 'Ada Lovelace',
          token: 'string',
          notes: ['ada: engines', 'ada: notes on the engine'],
          employee: 'Ada Lovelace',
        },
      )
      assert.equal(run.graceIdentity['username'], 'grace')
      assert.deepEqual(run.graceIdentity['notes'], ['grace: compilers'])
      assert.notEqual(run.adaIdentity['token'], run.graceIdentity['token'])
      assert.match(String(run.adaIdentity['token']), /^gho_/)
      const resource = await run.grace.readResource({ uri: 'me://profile' })
      const profile = JSON.parse(String((resource.contents[0] as { text?: string }).text))
      assert.deepEqual(profile, {
        username: 'grace',
        email: 'grace@example.com',
        provider: 'github',
        user_id: '1906',
        name: 'Grace Hopper',
      })
      const viaSql = JSON.parse(
        (
          await sql(
            run.ada,
            `SELECT get_username() AS username, get_user_email() AS email, get_user_provider() AS provider,
               get_user_id() AS user_id, get_user_name() AS name, get_user_external_token() AS token,
               (SELECT list(body ORDER BY body) FROM notes WHERE owner = get_username()) AS notes,
               (SELECT name FROM employees WHERE github_login = get_username()) AS employee`,
          )
        ).text,
      )
      assert.deepEqual(viaSql, [run.adaIdentity], 'the SQL tool sees what the YAML tool sees')
      const insert = text(await run.ada.callTool({ name: 'log_visit', arguments: { action: 'visited' } }))
      const visits = text(await run.ada.callTool({ name: 'my_visits', arguments: {} }))
      const graceVisits = text(await run.grace.callTool({ name: 'my_visits', arguments: {} }))
      if (run.configuration.readonly) {
        assert.equal(insert.isError, true)
        assert.match(insert.text, /read-only/)
        assert.deepEqual(JSON.parse(visits.text), [])
      } else {
        assert.equal(insert.isError, false, insert.text)
        assert.deepEqual(JSON.parse(visits.text), [{ action: 'visited' }])
      }
      assert.deepEqual(JSON.parse(graceVisits.text), [], "grace never sees ada's rows")
    }
  })

  test("a failing cast of the caller's token puts no part of it in the server log, and no user's token ever reaches the log", async () => {
    for (const run of running) {
      const token = String(run.adaIdentity['token'])
      const answer = await sql(run.ada, "SELECT CAST('x' || substr(get_user_external_token(), 2) AS INTEGER)")
      assert.equal(answer.isError, true)
      assert.match(answer.text, /Conversion Error/)
      // The process writes the log line after answering: wait for it (2 s at most).
      for (let waited = 0; waited < 2_000 && !run.server.output.includes('Conversion Error'); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const log = run.server.output
      assert.match(log, /Conversion Error: Could not convert string '…'/)
      for (const secret of [token, String(run.graceIdentity['token'])]) {
        for (const part of [secret, secret.slice(1), secret.slice(2), secret.slice(4, -4)]) {
          assert.equal(
            log.includes(part),
            false,
            `a part of a token reached the log (${run.configuration.name})`,
          )
        }
      }
    }
  })
})
