import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parse } from 'yaml'
import { configValidateCommand } from '../src/cli/config-validate-command.js'
import { copyExampleProject, EXAMPLES_DIR, type TempDir, writeFiles } from './helpers/example-project.js'
import { runCli, startCli } from './helpers/spawn-cli.js'

const dirs: TempDir[] = []
after(() => {
  for (const dir of dirs) dir.dispose()
})

function project(): TempDir {
  const dir = copyExampleProject()
  dirs.push(dir)
  return dir
}

describe('mxcp serve reads MXCP_READONLY and --transport as MXCP does', () => {
  test('MXCP_READONLY=true opens DuckDB read-only: a database file that does not exist yet is not created', async () => {
    const dir = project()
    const exit = await runCli(['serve', '--project', dir.path, '--host', '127.0.0.1', '--port', '0'], {
      HOME: dir.path,
      MXCP_READONLY: 'true',
    })
    assert.equal(exit.code, 1)
    assert.match(exit.stderr, /does not exist, and read-only mode cannot create it/)
  })

  test('an MXCP_READONLY that is neither true nor false stops start-up with the reason', async () => {
    const dir = project()
    const exit = await runCli(['serve', '--project', dir.path, '--port', '0'], {
      HOME: dir.path,
      MXCP_READONLY: 'maybe',
    })
    assert.equal(exit.code, 1)
    assert.match(exit.stderr, /MXCP_READONLY: expected true or false, got "maybe"/)
  })

  test('--transport sse wins over transport.provider of the config: the listening line names /sse', async () => {
    const dir = project()
    writeFiles(dir.path, {
      'user.yml':
        'mxcp: 1\nprojects:\n  demo:\n    profiles:\n      default: {}\ntransport:\n  provider: streamable-http\n',
    })
    const cli = startCli(
      ['serve', '--project', dir.path, '--host', '127.0.0.1', '--port', '0', '--transport', 'sse'],
      { HOME: dir.path, MXCP_CONFIG: `${dir.path}/user.yml` },
    )
    try {
      const url = await cli.url()
      assert.equal(new URL(url).pathname, '/sse')
      const line = cli.logLines().find((entry) => entry['url'] === url)
      assert.equal(line?.['transport'], 'sse')
    } finally {
      assert.equal((await cli.stop()).code, 0)
    }
  })

  test('the stdio example config (examples/stdio/config.yml) passes mxcp config validate', async () => {
    const dir = project()
    let out = ''
    let err = ''
    const code = await configValidateCommand(
      { projectDir: EXAMPLES_DIR, profile: undefined },
      {
        env: { HOME: dir.path, MXCP_CONFIG: join(EXAMPLES_DIR, 'stdio', 'config.yml') },
        out: (text) => {
          out += text
        },
        err: (text) => {
          err += text
        },
      },
    )
    assert.equal(code, 0, err)
    const printed = parse(out) as { transport: { provider: string; stdio: { user: Record<string, string> } } }
    assert.equal(printed.transport.provider, 'stdio')
    assert.deepEqual(printed.transport.stdio.user, { username: 'ada', external_token_env: 'GITHUB_TOKEN' })
  })
})
