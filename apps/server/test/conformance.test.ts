import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { EXAMPLES_DIR, type TempDir, tempDir } from './helpers/example-project.js'
import { type CliProcess, startCli } from './helpers/spawn-cli.js'

/** The conformance suite's CLI (patched for Node 20: see patches/). */
function conformanceCli(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js')
}

const PROJECT = join(EXAMPLES_DIR, 'conformance')
const BASELINE = join(PROJECT, 'expected-failures.yml')

/** Runs the suite's server scenarios against `url`; resolves with its exit code and its output. */
function runSuite(url: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [conformanceCli(), 'server', '--url', url, '--expected-failures', BASELINE],
      { env: { PATH: process.env['PATH'], NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, output: `${stdout}${stderr}` })
      },
    )
  })
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it strips
const stripColours = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '')

describe('the official MCP conformance suite (@modelcontextprotocol/conformance, server scenarios)', () => {
  let home: TempDir
  let server: CliProcess

  before(async () => {
    // No user configuration: auth none, streamable HTTP with MCP sessions (the default).
    home = tempDir('mxcp-conformance-home-')
    server = startCli(['serve', '--project', PROJECT, '--host', '127.0.0.1', '--port', '0'], {
      HOME: home.path,
    })
    await server.url()
  })
  after(async () => {
    await server?.stop()
    home?.dispose()
  })

  test('mxcp serve on examples/conformance passes every scenario except the baseline of what a SQL-backed server cannot do', async (t) => {
    const { code, output } = await runSuite(await server.url())
    const text = stripColours(output)
    const summary = text.slice(text.indexOf('=== SUMMARY ==='))
    for (const line of summary.split('\n')) if (line.trim() !== '') t.diagnostic(`conformance: ${line}`)
    assert.match(summary, /Baseline check passed: all failures are expected/, text)
    assert.equal(code, 0, 'an unexpected failure or a stale baseline entry fails the run')
    for (const scenario of [
      'logging-set-level',
      'completion-complete',
      'tools-call-with-progress',
      'dns-rebinding-protection',
    ]) {
      assert.match(summary, new RegExp(`✓ ${scenario}: \\d+ passed, 0 failed`), scenario)
    }
  })
})
