import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The `mxcp` command of this repository, run from its TypeScript source. */
export const MXCP_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../../apps/server/src/cli.ts')

/** A real `mxcp serve` process and everything it printed. */
export class MxcpServe {
  readonly #child: ChildProcess
  #output = ''
  readonly #exited: Promise<void>
  readonly url: string

  private constructor(child: ChildProcess, url: string, output: () => string) {
    this.#child = child
    this.url = url
    this.#output = output()
    child.stdout?.on('data', (chunk: string) => {
      this.#output += chunk
    })
    child.stderr?.on('data', (chunk: string) => {
      this.#output += chunk
    })
    this.#exited = once(child, 'exit').then(() => undefined)
  }

  /**
   * Starts `mxcp serve …args` in `cwd` (as an operator runs it: in the project folder) with
   * exactly `env` (plus PATH), and waits for its MCP URL.
   */
  static async start(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<MxcpServe> {
    const child = spawn(
      process.execPath,
      // tsx by absolute URL: the project folder has no node_modules to find it in.
      ['--conditions=@mxcp/source', '--import', import.meta.resolve('tsx'), MXCP_CLI, 'serve', ...args],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(cwd !== undefined && { cwd }),
      },
    )
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    let early = ''
    const url = await new Promise<string>((resolveUrl, reject) => {
      const onData = (chunk: string): void => {
        early += chunk
        const match = /"url":"([^"]+)"/.exec(early)
        if (match?.[1] !== undefined) {
          child.stdout?.off('data', onData)
          child.off('exit', onExit)
          resolveUrl(match[1])
        }
      }
      const onErr = (chunk: string): void => {
        early += chunk
      }
      const onExit = (): void => reject(new Error(`mxcp serve exited before listening:\n${early}`))
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onErr)
      child.once('exit', onExit)
    })
    return new MxcpServe(child, url, () => early)
  }

  /** Everything the process printed so far (its log). */
  get output(): string {
    return this.#output
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM')
    await this.#exited
  }
}
