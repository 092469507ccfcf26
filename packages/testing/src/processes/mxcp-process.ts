import { type ChildProcess, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
/** The repository's example project, which `mxcp serve` runs. */
const EXAMPLES_DIR = resolve(HERE, '../../../../examples')
/** The real `mxcp` command, run from source. */
const CLI_PATH = resolve(HERE, '../../../../apps/server/src/cli.ts')

/** A private copy of the example project: each replica gets its own DuckDB file, as on its own machine. */
export function copyExampleProject(): { path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mxcp-project-'))
  cpSync(EXAMPLES_DIR, path, { recursive: true, filter: (source) => !/\.duckdb(\.wal)?$/.test(source) })
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) }
}

/** Writes a user config (JSON is YAML) and returns its path. */
export function writeUserConfig(dir: string, config: object): string {
  const path = join(dir, 'config.yml')
  writeFileSync(path, JSON.stringify(config, null, 2))
  return path
}

/** One running `mxcp serve` process. */
export class MxcpReplica {
  readonly child: ChildProcess
  output = ''
  readonly exited: Promise<number | null>
  /** Where the process itself listens (not the load balancer's URL). */
  readonly origin: Promise<string>

  constructor(projectDir: string, env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      [
        '--conditions=@mxcp/source',
        '--import',
        'tsx',
        CLI_PATH,
        'serve',
        '--project',
        projectDir,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ],
      { env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk
    })
    this.exited = new Promise((resolveExit) => this.child.once('exit', (code) => resolveExit(code)))
    this.origin = new Promise((resolveOrigin, reject) => {
      const look = (): void => {
        const listening = this.logLines().find((line) => typeof line['listening'] === 'string')?.['listening']
        if (typeof listening !== 'string') return
        this.child.stdout?.off('data', look)
        resolveOrigin(listening)
      }
      this.child.stdout?.on('data', look)
      void this.exited.then(() => reject(new Error(`mxcp serve exited before listening:\n${this.output}`)))
    })
    this.origin.catch(() => {})
  }

  /** The JSON log lines so far. */
  logLines(): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = []
    for (const line of this.output.split('\n')) {
      if (!line.startsWith('{')) continue
      try {
        const parsed: unknown = JSON.parse(line)
        if (typeof parsed === 'object' && parsed !== null) lines.push({ ...parsed })
      } catch {
        // a line cut in the middle of a chunk
      }
    }
    return lines
  }

  /** SIGKILL: the process dies between any two statements, as a crash or an OOM killer would. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM, then waits for the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    return this.exited
  }
}
