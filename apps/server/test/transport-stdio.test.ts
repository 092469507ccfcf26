import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { after, describe, test } from 'node:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { CLI_PATH, copyExampleProject, type TempDir, tempDir } from './helpers/example-project.js'
import { resultJson } from './helpers/mcp-client.js'

const dirs: TempDir[] = []
after(() => {
  for (const dir of dirs) dir.dispose()
})

function project(): TempDir {
  const dir = copyExampleProject()
  dirs.push(dir)
  return dir
}

/** tsx's loader by absolute URL, so that the command works from any working folder. */
const TSX_LOADER = import.meta.resolve('tsx')

/** `mxcp serve --transport stdio` from source, as the SDK's stdio client spawns it. */
function sourceServer(dir: TempDir, ...extra: string[]): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [
      '--conditions=@mxcp/source',
      '--import',
      'tsx',
      CLI_PATH,
      'serve',
      '--transport',
      'stdio',
      '--project',
      dir.path,
      '--sql-tools',
      'true',
      ...extra,
    ],
  }
}

async function connect(transport: StdioClientTransport): Promise<{ client: Client; errors: Error[] }> {
  const errors: Error[] = []
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  client.onerror = (error) => errors.push(error)
  await client.connect(transport)
  return { client, errors }
}

describe('mxcp serve --transport stdio', () => {
  test("the SDK's stdio client lists the tools and runs a SQL tool as the anonymous local user; logs go to stderr", async () => {
    const dir = project()
    const transport = new StdioClientTransport({
      ...sourceServer(dir),
      env: { PATH: process.env['PATH'] ?? '', HOME: dir.path },
      cwd: resolve(CLI_PATH, '../..'),
      stderr: 'pipe',
    })
    let stderr = ''
    const stderrStream = transport.stderr as Readable | null
    stderrStream?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const { client, errors } = await connect(transport)
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name)
      for (const name of ['whoami', 'employees_by_department', 'execute_sql_query'])
        assert.ok(names.includes(name), name)
      const rows = resultJson(
        await client.callTool({
          name: 'execute_sql_query',
          arguments: {
            sql: "SELECT count(*) AS n, get_username() AS who FROM employees WHERE department = 'Engineering'",
          },
        }),
      )
      assert.deepEqual(rows, [{ n: 5, who: '' }])
      assert.deepEqual(
        (await client.listPrompts()).prompts.map((p) => p.name),
        ['summarize_department'],
      )
      assert.deepEqual(errors, [], 'every line on stdout was a JSON-RPC message')
      assert.match(stderr, /"msg":"mxcp serving MCP on stdio"/)
      assert.match(stderr, /"msg":"tool called"/)
    } finally {
      await client.close()
    }
  })

  test('a client config as Claude Desktop writes it (command, args, env) starts it from any folder; the local user and the token named by an environment variable reach SQL', async () => {
    const dir = project()
    const userConfig = join(dir.path, 'stdio.yml')
    writeFileSync(
      userConfig,
      [
        'mxcp: 1',
        'projects:',
        '  demo:',
        '    profiles:',
        '      default: {}',
        'transport:',
        '  provider: stdio',
        '  stdio:',
        '    user:',
        '      username: ada',
        '      email: ada@example.com',
        '      external_token_env: GITHUB_TOKEN',
        '',
      ].join('\n'),
    )
    // claude_desktop_config.json: the command, its arguments and its environment; nothing else.
    const desktopConfig = {
      mcpServers: {
        demo: {
          command: process.execPath,
          // From source, as every test runs; after `pnpm build` it is `[".../dist/cli.js", "serve", …]`.
          args: [
            '--conditions=@mxcp/source',
            '--import',
            TSX_LOADER,
            CLI_PATH,
            'serve',
            '--project',
            dir.path,
            '--sql-tools',
            'true',
          ],
          env: { MXCP_CONFIG: userConfig, GITHUB_TOKEN: 'gho_local_token', HOME: dir.path },
        },
      },
    }
    const entry = desktopConfig.mcpServers.demo
    const elsewhere = tempDir('mxcp-desktop-cwd-')
    dirs.push(elsewhere)
    const { client, errors } = await connect(
      new StdioClientTransport({ ...entry, cwd: elsewhere.path, stderr: 'ignore' }),
    )
    try {
      const me = resultJson(
        await client.callTool({
          name: 'execute_sql_query',
          arguments: {
            sql: 'SELECT get_username() AS who, get_user_email() AS email, get_user_provider() AS provider, get_user_external_token() AS token',
          },
        }),
      )
      assert.deepEqual(me, [
        { who: 'ada', email: 'ada@example.com', provider: 'local', token: 'gho_local_token' },
      ])
      assert.deepEqual(errors, [])
    } finally {
      await client.close()
    }
  })

  test('with --debug the readable logs still go to stderr: stdout carries JSON-RPC lines only; when stdin ends it answers what it was asked, then exits 0', async () => {
    const dir = project()
    const { command, args } = sourceServer(dir, '--debug')
    const child = spawn(command, args, {
      env: { PATH: process.env['PATH'], HOME: dir.path },
      cwd: resolve(CLI_PATH, '../..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const send = (message: object): boolean => child.stdin.write(`${JSON.stringify(message)}\n`)
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    })
    send({ jsonrpc: '2.0', method: 'notifications/initialized' })
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } })
    // Input ends at once, as with `echo … | mxcp serve --transport stdio`: the answers still come.
    child.stdin.end()
    const [code] = await once(child, 'close')
    assert.equal(code, 0)
    const lines = stdout.split('\n').filter((line) => line !== '')
    assert.equal(lines.length, 2, stdout)
    for (const line of lines) assert.equal((JSON.parse(line) as { jsonrpc?: string }).jsonrpc, '2.0')
    assert.match(stderr, /tool called/)
    assert.match(stderr, /DEBUG|INFO/)
  })
})
