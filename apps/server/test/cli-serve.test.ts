import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { after, describe, test } from 'node:test'
import { copyExampleProject, type TempDir, writeFiles } from './helpers/example-project.js'
import { type CliProcess, runCli, startCli } from './helpers/spawn-cli.js'

const dirs: TempDir[] = []
after(() => {
  for (const dir of dirs) dir.dispose()
})

function project(): TempDir {
  const dir = copyExampleProject()
  dirs.push(dir)
  return dir
}

/** No user config anywhere: auth none. */
function envFor(dir: TempDir): Record<string, string> {
  return { HOME: dir.path }
}

function serve(dir: TempDir, ...extra: string[]): CliProcess {
  return startCli(
    ['serve', '--project', dir.path, '--host', '127.0.0.1', '--port', '0', ...extra],
    envFor(dir),
  )
}

/** Resolves once a JSON log line with this `msg` appears. */
function logged(cli: CliProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const look = (): void => {
      const line = cli.logLines().find((entry) => entry['msg'] === msg)
      if (!line) return
      cli.child.stdout?.off('data', look)
      resolve(line)
    }
    cli.child.stdout?.on('data', look)
    look()
  })
}

const CALL_WHOAMI = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'whoami', arguments: {} },
})

describe('mxcp serve, the real process', () => {
  test('--help prints the usage and exits 0; an unknown command exits 2', async () => {
    const help = await runCli(['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /mxcp serve \[options\]/)
    assert.match(help.stdout, /--no-stateless/)
    for (const flag of ['--transport T', 'streamable-http', 'sse', 'stdio', '--version', 'MXCP_READONLY'])
      assert.ok(help.stdout.includes(flag), `the help lists ${flag}`)
    const unknown = await runCli(['serv'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /Unknown command "serv"/)
    const badFlag = await runCli(['serve', '--sql-tools', 'maybe'])
    assert.equal(badFlag.code, 2)
    assert.match(badFlag.stderr, /--sql-tools: expected true or false, got "maybe"/)
  })

  test('it prints a parseable listening line, serves, and on SIGTERM finishes the request in flight, then exits 0', async () => {
    const dir = project()
    const cli = serve(dir)
    const url = new URL(await cli.url())
    assert.equal(url.pathname, '/mcp')

    // A request whose body is still arriving when the signal comes: in flight, deterministically.
    const half = Math.floor(CALL_WHOAMI.length / 2)
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'content-length': Buffer.byteLength(CALL_WHOAMI),
            // The server answers 100 Continue once it has the request's head: then it is in flight.
            expect: '100-continue',
          },
        },
        (res) => {
          let body = ''
          res.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      req.on('continue', async () => {
        req.write(CALL_WHOAMI.slice(0, half))
        cli.child.kill('SIGTERM')
        await logged(cli, 'shutting down: finishing in-flight requests')
        req.end(CALL_WHOAMI.slice(half))
      })
    })
    const { status, body } = await response
    assert.equal(status, 200)
    assert.deepEqual(JSON.parse(body).result.content, [
      { type: 'text', text: JSON.stringify({ username: '', email: '', provider: '', employee: null }) },
    ])
    const exit = await cli.exited
    assert.equal(exit.code, 0)
    assert.ok(cli.logLines().some((line) => line['msg'] === 'stopped'))

    // DuckDB was closed: a second process can open the same database file.
    const again = serve(dir)
    await again.url()
    assert.equal((await again.stop('SIGINT')).code, 0)
  })

  test('--debug writes readable logs instead of JSON lines', async () => {
    const dir = project()
    const cli = serve(dir, '--debug')
    await new Promise<void>((resolve) => {
      const look = (): void => {
        if (cli.stdout.includes('mxcp serving MCP at')) resolve()
      }
      cli.child.stdout?.on('data', look)
    })
    assert.equal(cli.stdout.trimStart().startsWith('{'), false)
    assert.match(cli.stdout, /INFO.*mxcp serving MCP at http:\/\/127\.0\.0\.1:\d+\/mcp/)
    assert.equal((await cli.stop()).code, 0)
  })

  // The three mistakes start three processes at once.
  describe('a YAML mistake stops start-up', { concurrency: true }, () => {
    for (const [mistake, files, expected] of [
      [
        'an unknown parameter type',
        {
          'tools/broken.yml':
            'mxcp: 1\ntool:\n  name: broken\n  parameters:\n    - { name: n, type: int }\n  source:\n    code: SELECT $n\n',
        },
        'tools/broken.yml: tool.parameters[0].type: unknown type "int" (expected one of string, integer, number, boolean, array, object)',
      ],
      [
        'a missing source',
        { 'tools/broken.yml': 'mxcp: 1\ntool:\n  name: broken\n  description: no SQL\n' },
        'tools/broken.yml: tool.source: missing (give source.code with SQL, or source.file naming a .sql file)',
      ],
      [
        'a $param not declared',
        {
          'tools/broken.yml':
            'mxcp: 1\ntool:\n  name: broken\n  source:\n    code: SELECT * FROM employees WHERE id = $id\n',
        },
        'tools/broken.yml: tool.source.code: $id is not a declared parameter (declared: none)',
      ],
    ] as const) {
      test(`start-up stops with exit 1 and names the file and the problem for ${mistake}`, async () => {
        const dir = project()
        writeFiles(dir.path, files)
        const exit = await serve(dir).exited
        assert.equal(exit.code, 1)
        assert.match(exit.stderr, /The project's definitions have 1 problem:/)
        assert.ok(exit.stderr.includes(`  - ${expected}`), exit.stderr)
        assert.equal(exit.stdout.includes('mxcp serving'), false)
      })
    }
  })

  test('a port already in use stops start-up with exit 1 and the reason', async () => {
    const dir = project()
    const first = serve(dir)
    const port = new URL(await first.url()).port
    const other = project()
    const exit = await startCli(
      ['serve', '--project', other.path, '--host', '127.0.0.1', '--port', port],
      envFor(other),
    ).exited
    assert.equal(exit.code, 1)
    assert.match(exit.stderr, /EADDRINUSE/)
    assert.equal((await first.stop()).code, 0)
  })

  test('a configuration problem stops start-up with exit 1 and the key at fault', async () => {
    const dir = project()
    const config = writeFiles(dir.path, {
      'config.yml':
        'mxcp: 1\nprojects:\n  demo:\n    profiles:\n      default:\n        auth:\n          provider: github\n',
    })
    const exit = await runCli(['serve', '--project', dir.path, '--port', '0'], {
      HOME: dir.path,
      MXCP_CONFIG: `${config}/config.yml`,
    })
    assert.equal(exit.code, 1)
    assert.match(
      exit.stderr,
      /GitHub OAuth configuration is incomplete: missing github\.client_id, github\.client_secret/,
    )
  })
})
