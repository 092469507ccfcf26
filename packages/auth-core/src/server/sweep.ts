import type { ClientLeases } from '../clients/client-lease.js'
import { type AuthEventSink, emitEvent } from '../events/auth-events.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { DeletesClients, SingleUseRecords } from '../store/single-use-records.js'

/** Where a housekeeping pass reports (the app's logger). */
export interface SweepLog {
  warn(fields: object, message: string): void
  debug(fields: object, message: string): void
}

/** What a housekeeping pass works on (the plugin's `AuthContext` has all of it). */
export interface SweepParts {
  readonly clients: { readonly leases?: ClientLeases | undefined }
  readonly once: SingleUseRecords
  readonly events?: AuthEventSink | undefined
}

/**
 * One housekeeping pass: registrations whose lease ran out (each reported as `client_expired`),
 * expired single-use records, then the store's expired rows in bounded batches (reported as one
 * `sweep` event with the counts, and a debug line). A failure is a warn line; the next pass
 * tries again.
 */
export async function sweepOnce(
  context: SweepParts,
  store: OAuthStore & Partial<DeletesClients>,
  log: SweepLog,
  now: number,
): Promise<void> {
  // Both start at once (the store's sweep is called synchronously, before any await).
  await Promise.all([sweepStore(context, store, log, now), sweepLeases(context, store, log, now)])
}

async function sweepStore(context: SweepParts, store: OAuthStore, log: SweepLog, now: number): Promise<void> {
  try {
    const swept = await store.sweepExpired(now)
    if (!swept) return
    if (Object.values(swept).some((count) => count > 0)) log.debug({ swept }, 'swept expired OAuth state')
    emitEvent(context.events, { type: 'sweep', counts: { ...swept }, requestId: 'sweep' })
  } catch (error) {
    log.warn({ err: error }, 'sweeping expired OAuth state failed')
  }
}

async function sweepLeases(
  context: SweepParts,
  store: OAuthStore & Partial<DeletesClients>,
  log: SweepLog,
  now: number,
): Promise<void> {
  try {
    // Expired registrations first: the single-use sweep would drop their leases unread.
    const expired = (await context.clients.leases?.sweep(store, now)) ?? []
    for (const clientId of expired)
      emitEvent(context.events, { type: 'client_expired', clientId, requestId: 'sweep' })
    await context.once.sweepSingleUse(now)
  } catch (error) {
    log.warn({ err: error }, 'sweeping single-use records failed')
  }
}
