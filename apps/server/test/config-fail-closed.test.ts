import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { stringify } from 'yaml'
import { configValidateCommand } from '../src/cli/config-validate-command.js'
import { copyExampleProject, type TempDir, writeFiles } from './helpers/example-project.js'
import { startInProcess } from './helpers/in-process-server.js'
import { runCli, startCli } from './helpers/spawn-cli.js'

const GITHUB = {
  provider: 'github',
  github: { client_id: 'id', client_secret: 'secret', scope: 'user:email' },
}

/** A user config for the example project `demo` with these profiles and transport. */
function userConfig(profiles: Record<string, unknown>, transport?: Record<string, unknown>): string {
  return stringify({ mxcp: 1, projects: { demo: { profiles } }, ...(transport ? { transport } : {}) })
}

/** One configuration mistake, the key or names the report must carry. */
interface Mistake {
  readonly name: string
  readonly yaml: string
  readonly env?: Record<string, string>
  readonly expected: RegExp
}

const MISTAKES: readonly Mistake[] = [
  {
    name: 'a profile the user config does not hold (MXCP_PROFILE)',
    yaml: userConfig({ default: { auth: GITHUB }, staging: { auth: GITHUB } }),
    env: { MXCP_PROFILE: 'prod' },
    expected: /profile "prod" \(MXCP_PROFILE\).*the profiles there are: default, staging/,
  },
  {
    name: 'a project the user config does not hold',
    yaml: stringify({ mxcp: 1, projects: { other: { profiles: { default: {} } } } }),
    expected: /project "demo".*the projects there are: other/,
  },
  {
    name: 'a plain-http upstream URL off loopback',
    yaml: userConfig({
      default: {
        auth: { ...GITHUB, github: { ...GITHUB.github, token_url: 'http://idp.example.com/token' } },
      },
    }),
    expected: /auth\.github\.token_url must be an https URL/,
  },
  {
    name: 'a base_url with a path',
    yaml: userConfig({ default: {} }, { http: { base_url: 'https://api.example.com/mxcp' } }),
    expected: /transport\.http\.base_url: must be an origin without a path/,
  },
  {
    name: 'an unknown transport (streamable-http, sse and stdio are served)',
    yaml: userConfig({ default: {} }, { provider: 'websocket' }),
    expected: /transport\.provider/,
  },
]

describe('configuration fails closed, and config validate runs every check serve runs', () => {
  let project: TempDir
  let home: TempDir

  before(() => {
    project = copyExampleProject()
    home = copyExampleProject()
  })
  after(() => {
    project?.dispose()
    home?.dispose()
  })

  test('each mistake is refused by config validate and by serve, with the same key names; serve never listens', async () => {
    for (const [index, mistake] of MISTAKES.entries()) {
      const file = `mistake-${index}.yml`
      const path = join(writeFiles(project.path, { [file]: mistake.yaml }), file)
      let stderr = ''
      const code = await configValidateCommand(
        { projectDir: project.path, profile: undefined },
        {
          env: { HOME: home.path, MXCP_CONFIG: path, ...mistake.env },
          out: () => {},
          err: (text) => {
            stderr += text
          },
        },
      )
      assert.equal(code, 1, `${mistake.name}: config validate passed`)
      assert.match(stderr, mistake.expected, `${mistake.name}: config validate said ${stderr}`)
      await assert.rejects(
        startInProcess({ projectDir: project.path, userConfigPath: path, env: { ...mistake.env } }),
        (error: Error) => {
          assert.match(error.message, mistake.expected, `${mistake.name}: serve said ${error.message}`)
          return true
        },
      )
    }
  })

  test('the real serve refuses a --profile the user config does not hold, naming the ones it does', async () => {
    const file = 'profiles.yml'
    const path = join(writeFiles(project.path, { [file]: userConfig({ default: { auth: GITHUB } }) }), file)
    const exit = await runCli(['serve', '--project', project.path, '--profile', 'prodd', '--port', '0'], {
      HOME: home.path,
      MXCP_CONFIG: path,
    })
    assert.equal(exit.code, 1)
    assert.match(exit.stderr, /profile "prodd" \(--profile\).*the profiles there are: default/)
    assert.doesNotMatch(exit.stdout, /mxcp serving/)
  })

  test('only a missing user config means auth none, and serve says so in one line', async () => {
    const cli = startCli(['serve', '--project', project.path, '--port', '0', '--host', '127.0.0.1'], {
      HOME: home.path,
    })
    await cli.url()
    const exit = await cli.stop()
    const lines = exit.stdout.split('\n').filter((line) => /authentication is off/.test(line))
    assert.equal(lines.length, 1, exit.stdout)
    assert.match(lines[0] ?? '', /no user config/)
  })
})
