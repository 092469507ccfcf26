import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** A process started by the bench, stopped by `stop()` (SIGTERM or its own signal, then SIGKILL after 5 s). */
export interface BenchProcess {
  readonly pid: number
  readonly child: ChildProcess
  /** The last 16 kB of its standard error, for failure messages. */
  stderr(): string
  /** Resolves when it exits by itself, or after `timeoutMs` (then false). */
  exited(timeoutMs: number): Promise<boolean>
  stop(): Promise<void>
}

/** How `startNode` starts a process. */
export interface StartOptions {
  readonly name: string
  readonly args: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /**
   * `ignore`: standard output goes to /dev/null (servers: their log lines cost them a write, and
   * nobody pays for reading them). `pipe`: the caller reads it.
   */
  readonly stdout: 'ignore' | 'pipe'
  /** What `stop()` sends first (default SIGTERM); the process must exit cleanly on it for a CPU profile. */
  readonly stopSignal?: NodeJS.Signals
}

const STDERR_KEPT = 16_384

/** Every process started here and not yet exited, so that a run cut short leaves none behind. */
const running = new Set<ChildProcess>()

/**
 * Kills (SIGKILL) every process the bench started that is still running, with whatever they
 * started in turn: each is the leader of its own process group.
 */
export function killAll(): void {
  for (const child of running) {
    if (child.pid === undefined) continue
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}

/** Starts `node <args>` as its own process. */
export function startNode(options: StartOptions): BenchProcess {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    // Only what a process needs: a bench server never sees the secrets of the shell it ran in.
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      ...(process.env['TMPDIR'] !== undefined && { TMPDIR: process.env['TMPDIR'] }),
      ...options.env,
    },
    stdio: ['ignore', options.stdout, 'pipe'],
    // Its own process group, so that killAll() also reaches the processes it starts (the
    // standalone scripts start servers of their own). It still ends with the bench: stop() or
    // killAll() on every path out.
    detached: true,
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.pid === undefined) throw new Error(`${options.name}: could not start node`)
  return {
    pid: child.pid,
    child,
    stderr: () => stderr,
    async exited(timeoutMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      const done = await Promise.race([exited.then(() => true), timeout])
      clearTimeout(timer)
      return done
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill(options.stopSignal ?? 'SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    },
  }
}

/** Resolves once `port` on 127.0.0.1 accepts connections; fails if the server exits first. */
export async function waitForPort(
  server: BenchProcess,
  port: number,
  name: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${name} exited before listening on ${port}:\n${server.stderr()}`)
    }
    if (await accepts(port)) return
    await sleep(100)
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs / 1000} s:\n${server.stderr()}`)
}

/** True when a TCP connection to 127.0.0.1:`port` succeeds. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Reads standard output until one line is a JSON object, and returns it (the child's handshake). */
export function readJsonLine(started: BenchProcess, name: string, timeoutMs = 60_000): Promise<unknown> {
  const stdout = started.child.stdout
  if (!stdout) return Promise.reject(new Error(`${name}: standard output is not piped`))
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(
      () => finish(new Error(`${name} said nothing within ${timeoutMs / 1000} s`)),
      timeoutMs,
    )
    const onExit = (): void => finish(new Error(`${name} exited before it answered:\n${started.stderr()}`))
    const onData = (chunk: string): void => {
      buffer += chunk
      for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline).trim()
        buffer = buffer.slice(newline + 1)
        if (!line.startsWith('{')) continue
        try {
          finish(undefined, JSON.parse(line))
          return
        } catch {
          // Not JSON after all: keep reading.
        }
      }
    }
    function finish(error: Error | undefined, value?: unknown): void {
      clearTimeout(timer)
      stdout?.off('data', onData)
      started.child.off('exit', onExit)
      if (error) reject(error)
      else resolve(value)
    }
    stdout.setEncoding('utf8').on('data', onData)
    started.child.once('exit', onExit)
  })
}
