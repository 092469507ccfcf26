import type { Clock } from '@mxcp/auth-core/store-kit'
import type { StoreLogger } from './options.js'

/** A timer that sweeps expired rows now and then; `stop()` waits for a sweep in progress. */
export interface Sweeper {
  stop(): Promise<void>
}

export interface SweeperOptions {
  readonly intervalMs: number
  readonly clock: Clock
  readonly logger: StoreLogger | undefined
  /** One sweep at `now`; resolves to false when another replica holds the sweep lock. */
  readonly sweep: (now: number) => Promise<boolean>
}

/**
 * Starts the periodic sweep. The timer is `unref`'d so it never keeps a process alive, sweeps never
 * overlap within a process, and a failed sweep (database down) is logged and retried next time.
 */
export function startSweeper(options: SweeperOptions): Sweeper {
  let running: Promise<void> | undefined
  const tick = (): void => {
    if (running) return
    running = options
      .sweep(options.clock.now())
      .then(
        // false: another replica swept (or is sweeping); nothing to say.
        () => {},
        (error: unknown) => {
          options.logger?.warn(
            { reason: error instanceof Error ? error.message : 'unknown' },
            'PostgreSQL store: sweeping expired rows failed; retrying at the next interval',
          )
        },
      )
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(tick, options.intervalMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await running
    },
  }
}
