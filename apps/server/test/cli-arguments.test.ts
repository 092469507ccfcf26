import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseArguments, UsageError } from '../src/cli/parse-arguments.js'

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
      ]),
      {
        name: 'serve',
        project: { projectDir: 'examples', profile: 'prod' },
        debug: true,
        overrides: { host: '0.0.0.0', port: 0, sqlTools: false, readonly: true, stateless: false },
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
  })

  test('mistakes are usage errors that say what is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--port', '65536'], /--port: "65536" is not a port/],
      [['serve', '--port', 'eighty'], /--port: "eighty" is not a port/],
      [['serve', '--sql-tools', 'yes'], /--sql-tools: expected true or false, got "yes"/],
      [['serve', '--stateless', '--no-stateless'], /contradict/],
      [['serve', '--bogus'], /Unknown option '--bogus'/],
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
