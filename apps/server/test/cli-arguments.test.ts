import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { parseArguments, UsageError } from '../src/cli/parse-arguments.js'
import { runCli } from '../src/cli/run-cli.js'
import { readonlyFromEnv } from '../src/server/environment.js'
import { SERVER_VERSION } from '../src/version.js'

describe('the command line', () => {
  test('serve reads every flag; flags left out override nothing', () => {
    assert.deepEqual(
      parseArguments([
        'serve',
        '--project',
        'examples',
        '--profile',
        'prod',
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--debug',
        '--sql-tools',
        'false',
        '--readonly',
        '--no-stateless',
        '--transport',
        'sse',
      ]),
      {
        name: 'serve',
        project: { projectDir: 'examples', profile: 'prod' },
        debug: true,
        overrides: {
          host: '0.0.0.0',
          port: 0,
          sqlTools: false,
          readonly: true,
          stateless: false,
          transport: 'sse',
        },
      },
    )
    assert.deepEqual(parseArguments(['serve']), {
      name: 'serve',
      project: { projectDir: undefined, profile: undefined },
      debug: false,
      overrides: {
        host: undefined,
        port: undefined,
        sqlTools: undefined,
        readonly: undefined,
        stateless: undefined,
      },
    })
    assert.equal(
      (parseArguments(['serve', '--stateless']) as { overrides: { stateless?: boolean } }).overrides
        .stateless,
      true,
    )
  })

  test('config validate and --help', () => {
    assert.deepEqual(parseArguments(['config', 'validate', '--project', 'x']), {
      name: 'config-validate',
      project: { projectDir: 'x', profile: undefined },
    })
    assert.deepEqual(parseArguments(['--help']), { name: 'help' })
    assert.deepEqual(parseArguments(['serve', '-h']), { name: 'help' })
    assert.deepEqual(parseArguments([]), { name: 'help' })
    assert.deepEqual(parseArguments(['--version']), { name: 'version' })
    assert.deepEqual(parseArguments(['-V']), { name: 'version' })
  })

  test('mistakes are usage errors that say what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--port', '65536'], /--port: "65536" is not a port/],
      [['serve', '--port', 'eighty'], /--port: "eighty" is not a port/],
      [['serve', '--sql-tools', 'yes'], /--sql-tools: expected true or false, got "yes"/],
      [['serve', '--stateless', '--no-stateless'], /contradict/],
      [['serve', '--bogus'], /Unknown option '--bogus'/],
      [
        ['serve', '--transport', 'websocket'],
        /--transport: expected streamable-http, sse, stdio, got "websocket"/,
      ],
      [['config', 'validate', '--transport', 'stdio'], /--transport is an option of mxcp serve/],
      [['config', 'validate', '--port', '1'], /--port is an option of mxcp serve/],
      [['config'], /Unknown command "config"/],
    ]
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseArguments(argv),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      )
    }
  })
})

describe('the environment and --version', () => {
  test('MXCP_READONLY as MXCP reads it: true/1/yes opens read-only, false/0/no or unset changes nothing, anything else is refused', () => {
    for (const value of ['true', 'TRUE', '1', 'yes', 'on'])
      assert.equal(readonlyFromEnv({ MXCP_READONLY: value }), true, value)
    for (const value of ['false', '0', 'no', 'off', ''])
      assert.equal(readonlyFromEnv({ MXCP_READONLY: value }), undefined, value)
    assert.equal(readonlyFromEnv({}), undefined)
    assert.throws(
      () => readonlyFromEnv({ MXCP_READONLY: 'maybe' }),
      /MXCP_READONLY: expected true or false, got "maybe"/,
    )
  })

  test('mxcp --version prints the version of package.json', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    assert.equal(SERVER_VERSION, manifest.version)
    const lines: string[] = []
    const write = process.stdout.write
    process.stdout.write = ((text: string) => {
      lines.push(text)
      return true
    }) as typeof process.stdout.write
    try {
      assert.equal(await runCli(['--version']), 0)
    } finally {
      process.stdout.write = write
    }
    assert.deepEqual(lines, [`mxcp ${manifest.version}\n`])
  })
})
