import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { copyExampleProject } from './helpers/example-project.js'
import { githubEnv } from './helpers/github-auth.js'
import { startInProcess } from './helpers/in-process-server.js'
import { postMcp } from './helpers/json-rpc.js'
import { resultJson } from './helpers/mcp-client.js'
import {
  cleanups,
  closeAll,
  operator,
  postForm,
  serve,
  setUpOperating,
  signIn,
  spawnOperator,
} from './helpers/operating-setup.js'
import { freshDatabase } from './helpers/postgres.js'
import { freePort } from './helpers/provider-stand-ins.js'
import { startCli } from './helpers/spawn-cli.js'
import { postgresPersistence, writeDemoAuthConfig } from './helpers/user-config.js'

after(closeAll)

const bearer = (token: string | undefined) => ({ authorization: `Bearer ${token ?? ''}` })

test('SQLite: mxcp auth lists who is signed in and the clients, and revoke --user ends that user’s access on the next request of the running server', async (t) => {
  const setup = await setUpOperating()
  const { cli, url } = await serve(setup)
  try {
    const { client, oauth } = await signIn(url)
    assert.equal(
      (resultJson(await client.callTool({ name: 'whoami', arguments: {} })) as { username: string }).username,
      'ada',
    )
    const clientId = oauth.clientInformation()?.client_id
    const token = oauth.tokens()?.access_token

    const sessions = await operator(setup, 'auth', 'sessions', '--json')
    assert.equal(sessions.code, 0, sessions.stderr)
    const [session] = JSON.parse(sessions.stdout) as Record<string, unknown>[]
    assert.equal(session?.['username'], 'ada')
    assert.equal(session?.['userId'], '1815')
    assert.deepEqual(session?.['clientIds'], [clientId])
    assert.equal(session?.['liveTokens'], 2)
    assert.deepEqual(
      JSON.parse((await operator(setup, 'auth', 'sessions', '--user', 'grace', '--json')).stdout),
      [],
    )
    const table = await operator(setup, 'auth', 'sessions', '--user', 'ADA')
    assert.match(table.stdout, /^SESSION\s+USER\s+USER ID\s+PROVIDER\s+CLIENTS/)
    assert.match(table.stdout, /\bada\s+1815\s+github\b/)

    const clients = JSON.parse((await operator(setup, 'auth', 'clients', '--json')).stdout) as Record<
      string,
      unknown
    >[]
    const listed = clients.find((entry) => entry['clientId'] === clientId)
    assert.equal(listed?.['clientName'], 'operating e2e')
    assert.equal('clientSecretHash' in (listed ?? {}), false, 'no secret hash is printed')
    const shown = await operator(setup, 'auth', 'clients', 'show', String(clientId))
    assert.equal(shown.code, 0)
    assert.match(shown.stdout, /operating e2e/)

    // The real command, as an operator types it, against the running server's store.
    const revoke = await spawnOperator(setup, 'auth', 'revoke', '--user', 'ada')
    assert.equal(revoke.code, 0, revoke.stderr)
    assert.match(revoke.stdout, /Revoked user ada: 1 session\(s\) ended, 2 token\(s\) revoked/)

    const after = await postMcp(url, 'tools/list', {}, bearer(token))
    assert.equal(after.status, 401, 'the very next request is refused')
    assert.match(after.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
    const refresh = await postForm(url, '/token', {
      grant_type: 'refresh_token',
      refresh_token: oauth.tokens()?.refresh_token ?? '',
      client_id: String(clientId),
    })
    assert.equal(refresh.status, 400, 'the refresh token is dead too')
    assert.deepEqual(JSON.parse((await operator(setup, 'auth', 'sessions', '--json')).stdout), [])
    const removed = await operator(setup, 'auth', 'clients', 'remove', String(clientId))
    assert.equal(removed.code, 0, removed.stderr)
    assert.match(removed.stdout, /Removed client/)
    const gone = await operator(setup, 'auth', 'clients', 'show', String(clientId))
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /No registered client/)
    const tokenForGone = await postForm(url, '/token', {
      grant_type: 'refresh_token',
      refresh_token: oauth.tokens()?.refresh_token ?? '',
      client_id: String(clientId),
    })
    assert.equal(tokenForGone.status, 401, 'a removed client no longer authenticates')
    assert.equal((await operator(setup, 'auth', 'revoke')).code, 2, 'a target is required')
    assert.equal((await operator(setup, 'auth', 'revoke', '--user', 'a', '--client', 'b')).code, 2)
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})

test('PostgreSQL: mxcp auth revoke --user ends that user’s access on both replicas on their next request', async (t) => {
  const database = await freshDatabase()
  cleanups.push(() => database.drop())
  const setup = await setUpOperating()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const config = writeDemoAuthConfig(
    join(setup.project.path, 'config-pg.yml'),
    {
      provider: 'github',
      github: setup.github.configBlock(),
      persistence: postgresPersistence(database.url),
    },
    // Both replicas serve one public address (a load balancer's), so a token is good on either.
    { transport: { provider: 'streamable-http', http: { base_url: base } } },
  )
  const env = { ...githubEnv(setup.github), HOME: setup.project.path, MXCP_CONFIG: config }
  // Each replica has its own DuckDB file, as on its own machine.
  const secondProject = copyExampleProject()
  cleanups.push(() => secondProject.dispose())
  const start = (listen: number, project: string) => {
    const cli = startCli(
      ['serve', '--project', project, '--host', '127.0.0.1', '--port', String(listen)],
      env,
    )
    cleanups.push(() => cli.stop())
    return cli
  }
  const one = start(port, setup.project.path)
  const two = start(0, secondProject.path)
  try {
    const [url] = await Promise.all([one.url(), two.url()])
    const twoOrigin = String(
      two.logLines().find((line) => typeof line['listening'] === 'string')?.['listening'],
    )
    const { oauth } = await signIn(url)
    const token = oauth.tokens()?.access_token
    const atTwo = `${twoOrigin}/mcp`
    assert.equal((await postMcp(url, 'tools/list', {}, bearer(token))).status, 200)
    assert.equal(
      (await postMcp(atTwo, 'tools/list', {}, bearer(token))).status,
      200,
      'the other replica accepts it',
    )

    const revoke = await operator(
      { project: setup.project, env },
      'auth',
      'revoke',
      '--user',
      'ada',
      '--json',
    )
    assert.equal(revoke.code, 0, revoke.stderr)
    assert.deepEqual(JSON.parse(revoke.stdout), { sessions: 1, tokens: 2 })
    assert.equal((await postMcp(url, 'tools/list', {}, bearer(token))).status, 401)
    assert.equal((await postMcp(atTwo, 'tools/list', {}, bearer(token))).status, 401)
  } catch (failure) {
    t.diagnostic(`replica one:\n${one.stdout}\n${one.stderr}\nreplica two:\n${two.stdout}\n${two.stderr}`)
    throw failure
  }
})

test('without auth.persistence the admin commands say why they cannot reach the sessions', async () => {
  const setup = await setUpOperating()
  const memoryConfig = writeDemoAuthConfig(join(setup.project.path, 'memory.yml'), {
    provider: 'github',
    github: { client_id: 'x', client_secret: 'y' },
  })
  const result = await operator(
    { project: setup.project, env: { HOME: setup.project.path, MXCP_CONFIG: memoryConfig } },
    'auth',
    'sessions',
  )
  assert.equal(result.code, 1)
  assert.match(result.stderr, /auth\.persistence is not configured/)
})

test('a lost encryption key: serve refuses and points at mxcp auth reset, which (with --yes) starts over', async (t) => {
  const setup = await setUpOperating()
  const { cli, url } = await serve(setup)
  await signIn(url)
  assert.equal((await cli.stop()).code, 0)
  const { existsSync } = await import('node:fs')
  const newKey: Record<string, string> = {
    ...setup.env,
    MXCP_OAUTH_ENCRYPTION_KEY: 'another-key-regenerated-in-a-new-shell-0123',
  }
  const serveArgs = ['serve', '--project', setup.project.path, '--host', '127.0.0.1', '--port', '0']

  // Composed in this process as serve would: start-up stops, and says how to start over.
  await assert.rejects(
    startInProcess({
      projectDir: setup.project.path,
      userConfigPath: newKey['MXCP_CONFIG'] ?? '',
      env: newKey,
    }),
    /does not match the one this database was created with[\s\S]*mxcp auth reset/,
  )

  const asked = await operator({ project: setup.project, env: newKey }, 'auth', 'reset')
  assert.equal(asked.code, 1)
  assert.match(asked.stderr, /signs every user out and forgets every registered client/)
  assert.match(asked.stderr, /--yes/)
  assert.ok(existsSync(setup.sqlitePath), 'nothing is deleted without --yes')

  const reset = await operator({ project: setup.project, env: newKey }, 'auth', 'reset', '--yes')
  assert.equal(reset.code, 0, reset.stderr)
  assert.equal(existsSync(setup.sqlitePath), false)

  const again = startCli(serveArgs, newKey)
  cleanups.push(() => again.stop())
  try {
    const fresh = await again.url()
    const { client } = await signIn(fresh)
    assert.equal(
      (resultJson(await client.callTool({ name: 'whoami', arguments: {} })) as { username: string }).username,
      'ada',
    )
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${again.stdout}\n${again.stderr}`)
    throw failure
  }
})
