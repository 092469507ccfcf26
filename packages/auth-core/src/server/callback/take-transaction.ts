import { safeEqual, sha256 } from '../../crypto.js'
import type { TransactionRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/**
 * Step 1 of the callback: the upstream transaction. Consumed first (atomic, single use,
 * expiring), then checked against the browser's login cookie, so a transaction offered by another
 * browser dies unused (MCP SBP 2.1.5.2: state "single-use", validated "exactly").
 */
export async function takeTransaction(
  context: AuthContext,
  state: string,
  binding: string | undefined,
): Promise<{ transaction: TransactionRecord } | { problem: string }> {
  const id = sha256(state)
  const transaction = await context.store.consumeTransaction(id, context.clock.now())
  // The sign-in is no longer pending: its slots under the per-client and per-address caps are free.
  if (transaction) await context.once.releaseClaims(id)
  if (!transaction) return { problem: 'the sign-in is unknown, was already used, or has expired' }
  if (!binding || !safeEqual(sha256(binding), transaction.browserBindingHash)) {
    return { problem: 'the sign-in was started in a different browser' }
  }
  return { transaction }
}
