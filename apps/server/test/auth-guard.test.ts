import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { copyExampleProject, type TempDir } from './helpers/example-project.js'
import { ADA, authorize, githubEnv, startGitHub, writeGitHubUserConfig } from './helpers/github-auth.js'
import { type RunningServer, startInProcess } from './helpers/in-process-server.js'
import { postMcp } from './helpers/json-rpc.js'
import { EVERY_ITEM } from './helpers/protected-items.js'

describe('with GitHub auth, every tool, resource, prompt and SQL tool is behind the guard', () => {
  let project: TempDir
  let github: GitHubStandIn
  let running: RunningServer

  before(async () => {
    project = copyExampleProject()
    github = await startGitHub()
    running = await startInProcess({
      projectDir: project.path,
      userConfigPath: writeGitHubUserConfig(project.path, github, {
        requiredScopes: ['mxcp:access', 'mxcp:admin'],
        // The stand-in's user, ada, is granted mxcp:admin by her stable GitHub id.
        scopeGrants: { 'mxcp:admin': { users: [String(ADA.id)] } },
      }),
      env: githubEnv(github),
      overrides: { sqlTools: true },
    })
  })
  after(async () => {
    await running?.close()
    await github?.close()
    project?.dispose()
  })

  for (const [what, method, params] of EVERY_ITEM) {
    test(`${what} answers 401 with a resource_metadata challenge without a token, and runs nothing`, async () => {
      const before = github.requests.length
      const response = await postMcp(running.url, method, params)
      assert.equal(response.status, 401)
      const challenge = response.headers.get('www-authenticate') ?? ''
      assert.match(
        challenge,
        /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/,
      )
      assert.match(challenge, /scope="mxcp:access mxcp:admin"/)
      assert.equal(
        /error=/.test(challenge),
        false,
        'RFC 6750 §3.1: no error code when no credentials were sent',
      )
      assert.equal((response.body as { result?: unknown }).result, undefined)
      assert.equal(github.requests.length, before, 'nothing reached the provider')
    })
  }

  test('a token without a required scope gets 403 insufficient_scope on every item; the full scope gets through', async () => {
    const narrow = await authorize(running.url, 'mxcp:access')
    const narrowToken = narrow.tokens()?.access_token ?? ''
    const full = await authorize(running.url)
    const fullToken = full.tokens()?.access_token ?? ''
    assert.match(narrowToken, /^mxcp_at_/)
    assert.notEqual(narrowToken, fullToken)
    for (const [what, method, params] of EVERY_ITEM) {
      const refused = await postMcp(running.url, method, params, { authorization: `Bearer ${narrowToken}` })
      assert.equal(refused.status, 403, what)
      const challenge = refused.headers.get('www-authenticate') ?? ''
      assert.match(challenge, /error="insufficient_scope"/, what)
      assert.match(challenge, /scope="mxcp:access mxcp:admin"/, what)
      assert.equal((refused.body as { result?: unknown }).result, undefined, what)

      const allowed = await postMcp(running.url, method, params, { authorization: `Bearer ${fullToken}` })
      assert.equal(allowed.status, 200, what)
      const body = allowed.body as { result?: { isError?: boolean }; error?: unknown }
      assert.equal(body.error, undefined, what)
      assert.notEqual(body.result?.isError, true, what)
    }
  })

  test('a CORS preflight needs no token, and a loopback page can read the 401 challenge', async () => {
    const origin = 'http://localhost:6274'
    const preflight = await fetch(running.url, { method: 'OPTIONS', headers: { origin } })
    assert.equal(preflight.status, 204)
    const refused = await postMcp(running.url, 'tools/list', {}, { origin })
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('access-control-allow-origin'), origin)
    assert.match(refused.headers.get('access-control-expose-headers') ?? '', /www-authenticate/)
  })

  test("SQL reads the caller's verified email and provider attributes: get_user_email(), get_user_attribute(name)", async () => {
    const full = await authorize(running.url)
    const response = await postMcp(
      running.url,
      'tools/call',
      {
        name: 'execute_sql_query',
        arguments: {
          sql: "SELECT get_user_id() AS id, get_username() AS login, get_user_email() AS email, get_user_attribute('login') AS attr_login, get_user_attribute('no_such_claim') AS missing",
        },
      },
      { authorization: `Bearer ${full.tokens()?.access_token}` },
    )
    assert.equal(response.status, 200)
    const body = response.body as { result?: { content?: { text?: string }[] } }
    const rows: unknown = JSON.parse(body.result?.content?.[0]?.text ?? 'null')
    assert.deepEqual(rows, [
      { id: '1815', login: 'ada', email: 'ada@example.com', attr_login: 'ada', missing: '' },
    ])
  })

  test('an upstream (GitHub) token presented to /mcp is refused', async () => {
    const response = await postMcp(
      running.url,
      'tools/list',
      {},
      { authorization: 'Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a' },
    )
    assert.equal(response.status, 401)
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/)
  })
})
