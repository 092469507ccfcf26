import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing'
import { type GitHubStandIn, startGitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { type GitLabStandIn, startGitLabStandIn } from '../../custom-provider/test/gitlab-stand-in.js'
import { type InstalledApp, packAndInstall, WORKSPACE } from './pack-and-install.js'

const run = promisify(execFile)

/** Starts `server.mjs` of the installed app; resolves with its URL once it listens. */
function startApp(dir: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 30_000)
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /listening (\S+)/.exec(output)?.[1]
      if (url) {
        clearTimeout(timer)
        resolve({ url, child })
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.on('exit', (code) => reject(new Error(`the app exited (${code}):\n${output}`)))
  })
}

/** Runs tsc on the installed app (its server and the README examples, one program); what it printed. */
async function typeCheckApp(dir: string): Promise<string> {
  const tsc = join(WORKSPACE, 'node_modules/.bin/tsc')
  const result = await run(tsc, ['-p', 'tsconfig.json'], { cwd: dir }).catch(
    (error: { stdout?: string; stderr?: string }) => error,
  )
  return `${result.stdout ?? ''}${result.stderr ?? ''}`
}

describe('a Fastify app built from the packed packages, outside the workspace', () => {
  let installed: InstalledApp
  let standIn: GitHubStandIn
  let gitlab: GitLabStandIn
  let app: { url: string; child: ChildProcess }
  /** tsc's output on the app and the README examples: the slowest check, run while the others run. */
  let typeCheck: Promise<string>

  before(async () => {
    installed = await packAndInstall()
    typeCheck = typeCheckApp(installed.dir)
    standIn = await startGitHubStandIn()
    gitlab = await startGitLabStandIn()
    app = await startApp(installed.dir, {
      GITHUB_CLIENT_ID: standIn.clientId,
      GITHUB_CLIENT_SECRET: standIn.clientSecret,
      GITHUB_URL: standIn.url,
      GITHUB_API_URL: standIn.apiUrl,
      GITLAB_CLIENT_ID: gitlab.clientId,
      GITLAB_CLIENT_SECRET: gitlab.clientSecret,
      GITLAB_URL: gitlab.url,
    })
  })
  after(async () => {
    app?.child.kill()
    await typeCheck
    await standIn?.close()
    await gitlab?.close()
    if (installed) await rm(join(installed.dir, '..'), { recursive: true, force: true })
  })

  test('every public package installs from its tarball, with one copy of core and no source maps', async () => {
    assert.ok(installed.tarballs.size >= 10, `${installed.tarballs.size} public packages packed`)
    const store = await readdir(join(installed.dir, 'node_modules/.pnpm'))
    assert.deepEqual(
      store.filter((entry) => entry.startsWith('@mxcp+auth-core@')).length,
      1,
      'providers and stores share the app’s @mxcp/auth-core (a peer dependency)',
    )
    assert.equal(store.filter((entry) => /^fastify@\d/.test(entry)).length, 1, 'one copy of fastify')
    for (const name of installed.tarballs.keys()) {
      const files = await readdir(join(installed.dir, 'node_modules', name), { recursive: true })
      assert.ok(files.includes('README.md'), `${name} ships its README`)
      assert.deepEqual(
        files.filter((file) => String(file).endsWith('.map')),
        [],
        `${name} ships no source maps`,
      )
    }
  })

  test("the app's own form routes are untouched by the plugin's parsers", async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: 'theme=dark' }
    for (const path of ['/feedback', '/mcp-notes']) {
      const response = await fetch(`${app.url}${path}`, { method: 'POST', headers: form, body: 'text=hi' })
      assert.equal(response.status, 415, `${path}: no form parser outside the plugin's routes`)
    }
    const json = await fetch(`${app.url}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'theme=dark' },
      body: JSON.stringify({ text: 'hi' }),
    })
    assert.deepEqual(await json.json(), { body: { text: 'hi' }, cookies: null })
    assert.deepEqual(await (await fetch(`${app.url}/mcp-open`)).json(), { user: null }, 'no guard, no user')
  })

  test('the plugin is under its prefix, and its metadata says so', async () => {
    const metadata = (await (
      await fetch(`${app.url}/.well-known/oauth-authorization-server/oauth`)
    ).json()) as Record<string, unknown>
    assert.equal(metadata['issuer'], `${app.url}/oauth`)
    assert.equal(metadata['token_endpoint'], `${app.url}/oauth/token`)
    assert.equal((await fetch(`${app.url}/token`, { method: 'POST' })).status, 404)
    const refused = await fetch(`${app.url}/mcp`, { method: 'POST' })
    assert.equal(refused.status, 401)
    assert.match(
      refused.headers.get('www-authenticate') ?? '',
      new RegExp(`resource_metadata="${app.url}/.well-known/oauth-protected-resource/mcp"`),
    )
  })

  test('the real MCP SDK client signs in through the GitHub stand-in and calls the guarded tool', async () => {
    const oauth = new HeadlessOAuthClient({ expectedIssuer: `${app.url}/oauth` })
    const client = await connectWithOAuth(`${app.url}/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'octocat via github' }])
      assert.ok(oauth.tokens()?.access_token.startsWith('mxcp_at_'), 'our token, not GitHub’s')
    } finally {
      await client.close()
    }
  })

  test('a provider of the app’s own (GitLab, from examples/custom-provider) signs in beside it', async () => {
    assert.ok(installed.tarballs.has('@mxcp/example-custom-provider'), 'installed from its tarball')
    const oauth = new HeadlessOAuthClient({ expectedIssuer: `${app.url}/gitlab/oauth` })
    const client = await connectWithOAuth(`${app.url}/gitlab/mcp`, oauth)
    try {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      assert.deepEqual(result.content, [{ type: 'text', text: 'tanuki via gitlab' }])
      assert.deepEqual(gitlab.tokenRequests, ['authorization_code'], 'one code exchange at GitLab')
    } finally {
      await client.close()
    }
    const refused = await fetch(`${app.url}/gitlab/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oauth.tokens()?.access_token ?? ''}x` },
    })
    assert.equal(refused.status, 401, 'a token that is not ours is refused')
  })

  // Last: tsc has been running since the install, beside the tests above.
  test('the app and every README example type-check against the published types', async () => {
    assert.ok(installed.readmeExamples.length >= 10, 'the README examples were collected')
    assert.equal(await typeCheck, '', 'tsc reports nothing')
  })
})
