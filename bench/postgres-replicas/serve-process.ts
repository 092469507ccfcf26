import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const EXAMPLES_DIR = resolve(HERE, '../../examples')
const CLI_PATH = resolve(HERE, '../../apps/server/src/cli.ts')

/** A running `mxcp serve` (the real command, from source) on a private copy of the example project. */
export interface ServeProcess {
  /** Where this process listens, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
  stop(): Promise<void>
}

/**
 * Starts `mxcp serve` with `userConfig` (written as JSON, which is YAML) and `env`. Each process
 * gets its own copy of the example project, so its own DuckDB file, as on its own machine.
 */
export async function startServe(userConfig: object, env: Record<string, string>): Promise<ServeProcess> {
  const project = mkdtempSync(join(tmpdir(), 'mxcp-bench-'))
  cpSync(EXAMPLES_DIR, project, { recursive: true, filter: (source) => !/\.duckdb(\.wal)?$/.test(source) })
  const configPath = join(project, 'config.yml')
  writeFileSync(configPath, JSON.stringify(userConfig))
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--conditions=@mxcp/source',
      '--import',
      'tsx',
      CLI_PATH,
      'serve',
      '--project',
      project,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ],
    // LOG_LEVEL is not read by every logger; quiet or not, stdout is drained below.
    {
      env: { PATH: process.env['PATH'], HOME: project, MXCP_CONFIG: configPath, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  const origin = await new Promise<string>((resolveOrigin, reject) => {
    const onData = (chunk: string): void => {
      // Keep only what is needed to find the "listening" line; the rest of the log is dropped.
      output = (output + chunk).slice(-65_536)
      const match = /"listening":"(http:\/\/[^"]+)"/.exec(output)
      if (match?.[1]) resolveOrigin(match[1])
    }
    child.stdout?.setEncoding('utf8').on('data', onData)
    child.stderr?.setEncoding('utf8').on('data', onData)
    void exited.then(() => reject(new Error(`mxcp serve exited before listening:\n${output}`)))
  })
  return {
    origin,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
      rmSync(project, { recursive: true, force: true })
    },
  }
}
