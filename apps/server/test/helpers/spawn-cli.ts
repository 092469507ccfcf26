import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { CLI_PATH } from './example-project.js'

/** How the real `mxcp` process ended. */
export interface CliExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A running `mxcp` process with its output so far. */
export class CliProcess {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<CliExit>

  constructor(args: readonly string[], env: Record<string, string | undefined>) {
    // The real command, from source: the same entry point as the bin (dist/cli.js) after a build.
    this.child = spawn(
      process.execPath,
      ['--conditions=@mxcp/source', '--import', 'tsx', CLI_PATH, ...args],
      {
        env: { PATH: process.env['PATH'], ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout: this.stdout,
      stderr: this.stderr,
    }))
  }

  /** The JSON log lines written so far. */
  logLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  /** Resolves with the URL of the "mxcp serving" log line; rejects if the process exits first. */
  url(): Promise<string> {
    return new Promise((resolve, reject) => {
      const look = (): void => {
        const line = this.logLines().find((entry) => typeof entry['url'] === 'string')
        if (!line) return
        this.child.stdout?.off('data', look)
        resolve(String(line['url']))
      }
      this.child.stdout?.on('data', look)
      look()
      void this.exited.then(() =>
        reject(new Error(`mxcp exited before listening:\n${this.stdout}\n${this.stderr}`)),
      )
    })
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<CliExit> {
    if (this.child.exitCode === null) this.child.kill(signal)
    return this.exited
  }
}

/** Starts `mxcp …args` with exactly `env` (plus PATH). */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliProcess {
  return new CliProcess(args, env)
}

/** Runs `mxcp …args` to completion. */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<CliExit> {
  return startCli(args, env).exited
}
