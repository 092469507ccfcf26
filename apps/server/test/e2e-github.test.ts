import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, type TestContext, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { copyExampleProject, type TempDir } from './helpers/example-project.js'
import { ADA, githubEnv, startGitHub, writeGitHubUserConfig } from './helpers/github-auth.js'
import { postMcp } from './helpers/json-rpc.js'
import { resultJson } from './helpers/mcp-client.js'
import { type CliProcess, startCli } from './helpers/spawn-cli.js'

const cleanups: (() => Promise<void> | void)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

interface Setup {
  readonly project: TempDir
  readonly github: GitHubStandIn
  readonly env: Record<string, string>
}

/** The processes a test started, so that a failure shows what they logged. */
let started: CliProcess[] = []

/** Runs a test body; when it fails, the output of every `mxcp` process it started is attached. */
function withServerOutput(body: () => Promise<void>): (t: TestContext) => Promise<void> {
  return async (t) => {
    started = []
    try {
      await body()
    } catch (error) {
      for (const cli of started) t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
      throw error
    }
  }
}

async function setUp(store: 'memory' | 'sqlite'): Promise<Setup> {
  const project = copyExampleProject()
  cleanups.push(() => project.dispose())
  const github = await startGitHub()
  cleanups.push(() => github.close())
  const sqlitePath = store === 'sqlite' ? join(project.path, 'oauth', 'oauth.db') : undefined
  const config = writeGitHubUserConfig(project.path, github, sqlitePath ? { sqlitePath } : {})
  return { project, github, env: { ...githubEnv(github), HOME: project.path, MXCP_CONFIG: config } }
}

/** Starts the real `mxcp serve` on 127.0.0.1 (port 0 the first time, then the same port again). */
async function serve(setup: Setup, port = 0): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(
    ['serve', '--project', setup.project.path, '--host', '127.0.0.1', '--port', String(port)],
    setup.env,
  )
  started.push(cli)
  cleanups.push(async () => {
    await cli.stop()
  })
  return { cli, url: await cli.url() }
}

async function whoami(client: Client): Promise<unknown> {
  return resultJson(await client.callTool({ name: 'whoami', arguments: {} }))
}

/** What only the server, the provider and the client ever see: none of it may reach a log line. */
function secretsOf(github: GitHubStandIn, oauth: HeadlessOAuthClient): string[] {
  const upstreamToken = github.requests
    .find((request) => request.endpoint === 'user')
    ?.headers.authorization?.replace(/^(Bearer|token) /i, '')
  const upstreamCode = github.requests.find((request) => request.endpoint === 'token')?.body['code']
  const values = [
    oauth.tokens()?.access_token,
    oauth.tokens()?.refresh_token,
    oauth.lastRedirect?.params.get('code') ?? undefined,
    typeof upstreamCode === 'string' ? upstreamCode : undefined,
    upstreamToken,
    github.clientSecret,
  ]
  return values.filter((value): value is string => typeof value === 'string' && value.length > 0)
}

function assertNoSecretLogged(cli: CliProcess, secrets: readonly string[]): void {
  const output = cli.stdout + cli.stderr
  for (const secret of secrets) assert.equal(output.includes(secret), false, 'a secret reached the logs')
}

/** The whole flow with the real SDK client: discovery, registration, consent, GitHub login, token. */
async function logIn(
  url: string,
  github: GitHubStandIn,
): Promise<{ client: Client; oauth: HeadlessOAuthClient }> {
  const oauth = new HeadlessOAuthClient({ clientName: 'e2e client' })
  const client = await connectWithOAuth(url, oauth)
  cleanups.push(() => client.close())
  assert.equal(oauth.authorizationUrls.length, 1, 'one authorization run')
  const trace = oauth.lastRedirect?.trace.map(
    (step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`,
  )
  assert.deepEqual(trace, [
    'GET /authorize 200', // our consent page
    'POST /consent 200', // approved: a hand-over page refreshes to GitHub
    'GET /login/oauth/authorize 302', // GitHub logs ada in and sends her back
    'GET /github/callback 302', // our callback: code exchanged upstream, our code to the client
  ])
  assert.ok(
    github.requests.some((request) => request.endpoint === 'token'),
    'the code was exchanged at GitHub',
  )
  return { client, oauth }
}

const ADA_SEEN_BY_SQL = {
  username: ADA.login,
  email: 'ada@example.com',
  provider: 'github',
  employee: 'Ada Lovelace',
}

describe('mxcp serve end to end: the real process, GitHub stand-in, the real MCP SDK client', () => {
  test(
    'in-memory store: login, tools/list, get_username() is the GitHub user; after a restart the old token is refused',
    withServerOutput(async () => {
      const setup = await setUp('memory')
      const first = await serve(setup)
      const { client, oauth } = await logIn(first.url, setup.github)

      const { tools } = await client.listTools()
      assert.ok(tools.some((tool) => tool.name === 'whoami'))
      assert.deepEqual(await whoami(client), ADA_SEEN_BY_SQL)
      const secrets = secretsOf(setup.github, oauth)
      assert.ok(secrets.length >= 5)

      assert.equal((await first.cli.stop('SIGTERM')).code, 0)
      assertNoSecretLogged(first.cli, secrets)

      const port = new URL(first.url).port
      const second = await serve(setup, Number(port))
      assert.equal(second.url, first.url)
      const stale = await postMcp(
        second.url,
        'tools/list',
        {},
        { authorization: `Bearer ${oauth.tokens()?.access_token}` },
      )
      assert.equal(stale.status, 401, 'memory is gone: the token died with the process')
      assert.match(stale.headers.get('www-authenticate') ?? '', /error="invalid_token"/)

      const again = await logIn(second.url, setup.github)
      assert.deepEqual(await whoami(again.client), ADA_SEEN_BY_SQL)
      assert.equal((await second.cli.stop('SIGINT')).code, 0)
    }),
  )

  test(
    'SQLite store: login and a call, restart the process, and the same token still calls as the same user',
    withServerOutput(async () => {
      const setup = await setUp('sqlite')
      const first = await serve(setup)
      const { client, oauth } = await logIn(first.url, setup.github)
      assert.deepEqual(await whoami(client), ADA_SEEN_BY_SQL)
      const token = oauth.tokens()?.access_token
      const secrets = secretsOf(setup.github, oauth)
      await client.close()
      assert.equal((await first.cli.stop('SIGTERM')).code, 0)

      const second = await serve(setup, Number(new URL(first.url).port))
      const authorizeCalls = setup.github.requests.filter(
        (request) => request.endpoint === 'authorize',
      ).length
      const afterRestart = new Client({ name: 'e2e', version: '1' })
      await afterRestart.connect(
        new StreamableHTTPClientTransport(new URL(second.url), { authProvider: oauth }),
      )
      cleanups.push(() => afterRestart.close())
      assert.deepEqual(await whoami(afterRestart), ADA_SEEN_BY_SQL)
      assert.equal(oauth.tokens()?.access_token, token, 'no new token was needed')
      assert.equal(
        setup.github.requests.filter((request) => request.endpoint === 'authorize').length,
        authorizeCalls,
        'nobody logged in at GitHub again',
      )
      assert.equal((await second.cli.stop('SIGTERM')).code, 0)
      assertNoSecretLogged(first.cli, secrets)
      assertNoSecretLogged(second.cli, secrets)
    }),
  )
})
