import { setTimeout as delay } from 'node:timers/promises'
import { StoreUnavailableError } from '../store/oauth-store.js'

/** Pauses between attempts, ms: a database blip of a second or two is ridden out. */
const BACKOFF_MS = [100, 400, 1_000] as const

/**
 * Runs a store write, trying again after a short pause while the store reports itself unavailable
 * (a database restarting, a connection cut). Used where the data exists nowhere else, such as the
 * tokens a rotating provider has just issued. Other errors, and the last failure, pass through.
 */
export async function saveWithRetry(write: () => Promise<void>): Promise<void> {
  for (const pause of BACKOFF_MS) {
    try {
      return await write()
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error
    }
    await delay(pause)
  }
  return write()
}
