/**
 * Housekeeping every store applies: what a sweep removes and in what portions, so a sweep never
 * holds a lock (or runs a statement) for long and a backlog is worked off over several sweeps.
 */

/** Rows deleted per statement. */
export const SWEEP_BATCH = 1_000
/** Statements per table per sweep: what is left waits for the next sweep. */
export const SWEEP_MAX_BATCHES = 20
/**
 * A registered client that never started a sign-in (no transaction, code or token refers to it)
 * is removed this long after its registration, ms: anyone may register, so unused registrations
 * must not pile up. A client with tokens stays while any of its tokens exists.
 */
export const UNUSED_CLIENT_MS = 24 * 60 * 60_000

/** How many rows one sweep removed, per kind (for the debug log and metrics). */
export interface SweepCounts {
  transactions: number
  codes: number
  tokens: number
  sessions: number
  clients: number
  revokedFamilies: number
}

/** The kinds of rows removed when their `expires_at` has passed (clients have no expiry). */
export const EXPIRING_KINDS = ['transactions', 'codes', 'tokens', 'sessions', 'revokedFamilies'] as const

export function emptySweepCounts(): SweepCounts {
  return { transactions: 0, codes: 0, tokens: 0, sessions: 0, clients: 0, revokedFamilies: 0 }
}

/** Runs `deleteBatch` until it deletes fewer than `SWEEP_BATCH` rows or `SWEEP_MAX_BATCHES` ran; the total. */
export async function inBatches(deleteBatch: () => Promise<number> | number): Promise<number> {
  let total = 0
  for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
    const deleted = await deleteBatch()
    total += deleted
    if (deleted < SWEEP_BATCH) break
  }
  return total
}
