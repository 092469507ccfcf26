import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import { stringify } from 'yaml'
import {
  GITLAB_USER,
  type GitLabStandIn,
  startGitLabStandIn,
} from '../../../examples/custom-provider/test/gitlab-stand-in.js'
import { configValidateCommand } from '../src/cli/config-validate-command.js'
import { copyExampleProject, EXAMPLES_DIR, writeFiles } from './helpers/example-project.js'
import { resultJson } from './helpers/mcp-client.js'
import { type CliProcess, startCli } from './helpers/spawn-cli.js'

/** The example provider package (with its dependencies installed), named by its path. */
const MODULE = join(EXAMPLES_DIR, 'custom-provider', 'src', 'index.ts')

const cleanups: (() => Promise<unknown> | unknown)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

function userConfig(
  dir: string,
  block: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): string {
  const provider = typeof extra['provider'] === 'string' ? extra['provider'] : 'gitlab'
  const auth = { provider, provider_module: MODULE, [provider]: block, ...extra }
  writeFiles(dir, {
    'config.yml': stringify({ mxcp: 1, projects: { demo: { profiles: { default: { auth } } } } }),
  })
  return join(dir, 'config.yml')
}

async function validate(
  projectDir: string,
  config: string,
): Promise<{ code: number; out: string; err: string }> {
  const result = { code: -1, out: '', err: '' }
  result.code = await configValidateCommand(
    { projectDir, profile: undefined },
    {
      env: { HOME: projectDir, MXCP_CONFIG: config },
      out: (text) => {
        result.out += text
      },
      err: (text) => {
        result.err += text
      },
    },
  )
  return result
}

describe('auth.provider_module: the server uses a provider package it does not ship', () => {
  let standIn: GitLabStandIn
  test("mxcp config validate checks the block with the module's own schema", async () => {
    standIn = await startGitLabStandIn()
    cleanups.push(() => standIn.close())
    const project = copyExampleProject()
    cleanups.push(() => project.dispose())
    const good = userConfig(project.path, {
      client_id: standIn.clientId,
      client_secret: standIn.clientSecret,
      base_url: standIn.url,
    })
    const ok = await validate(project.path, good)
    assert.equal(ok.code, 0, ok.err)
    assert.match(ok.out, /callback_path: \/gitlab\/callback/)

    const bad = userConfig(project.path, { client_id: 'x', base_uri: standIn.url })
    const refused = await validate(project.path, bad)
    assert.equal(refused.code, 1)
    assert.match(refused.err, /projects\.demo\.profiles\.default\.auth\.gitlab\.base_uri: unknown key/)

    const incomplete = userConfig(project.path, { client_id: 'x' })
    assert.match(
      (await validate(project.path, incomplete)).err,
      /GitLab OAuth configuration is incomplete: missing gitlab\.client_secret/,
    )

    const unknown = userConfig(project.path, {}, { provider: 'gitlab2' })
    assert.match(
      (await validate(project.path, unknown)).err,
      /auth\.provider "gitlab2" is not served by auth\.provider_module/,
    )

    const missing = userConfig(project.path, {}, { provider_module: './nowhere.js' })
    assert.match(
      (await validate(project.path, missing)).err,
      /auth\.provider_module: cannot load "\.\/nowhere\.js"/,
    )

    const withoutModule = userConfig(
      project.path,
      { client_id: 'x', client_secret: 'y' },
      { provider_module: undefined },
    )
    assert.match(
      (await validate(project.path, withoutModule)).err,
      /auth\.provider: "gitlab" is not a registered identity provider \(registered: none, github, atlassian, salesforce, keycloak, google, oidc\)/,
    )
  })

  test('mxcp serve signs a user in through the GitLab provider with the real MCP SDK client', async (t) => {
    const project = copyExampleProject()
    cleanups.push(() => project.dispose())
    const config = userConfig(project.path, {
      client_id: standIn.clientId,
      client_secret: standIn.clientSecret,
      base_url: standIn.url,
    })
    const cli: CliProcess = startCli(
      ['serve', '--project', project.path, '--host', '127.0.0.1', '--port', '0'],
      {
        HOME: project.path,
        MXCP_CONFIG: config,
      },
    )
    cleanups.push(() => cli.stop())
    try {
      const url = await cli.url()
      const oauth = new HeadlessOAuthClient({ clientName: 'custom provider e2e' })
      const client = await connectWithOAuth(url, oauth)
      cleanups.push(() => client.close())
      const trace = oauth.lastRedirect?.trace.map(
        (step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`,
      )
      assert.deepEqual(trace, [
        'GET /authorize 200',
        'POST /consent 200',
        'GET /oauth/authorize 302',
        'GET /gitlab/callback 302',
      ])
      const me = resultJson(await client.callTool({ name: 'whoami', arguments: {} })) as Record<
        string,
        unknown
      >
      assert.equal(me['username'], GITLAB_USER.username)
      assert.equal(me['provider'], 'gitlab')
      assert.equal(me['email'], GITLAB_USER.email)
    } catch (error) {
      t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
      throw error
    }
  })
})
