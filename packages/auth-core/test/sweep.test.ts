import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ClientLeases } from '../src/clients/client-lease.js'
import { FakeClock } from '../src/clock.js'
import type { AuthEvent } from '../src/events/auth-events.js'
import { type SweepLog, sweepOnce } from '../src/server/sweep.js'
import { MemoryStore } from '../src/store/memory-store.js'
import { clientRecord } from '../src/testing/index.js'

test('a housekeeping pass reports each expired registration and the counts of what it swept', async () => {
  const clock = new FakeClock()
  const store = new MemoryStore()
  const leases = new ClientLeases(store.singleUse, clock, { unprovenSeconds: 60, unusedSeconds: 3600 })
  await store.saveClient(clientRecord({ clientId: 'never-signed-in' }))
  await leases.registered('never-signed-in')
  const events: AuthEvent[] = []
  const silent: SweepLog = { warn: () => undefined, debug: () => undefined }
  clock.advance(61_000)
  await sweepOnce(
    { clients: { leases }, once: store.singleUse, events: (event) => events.push(event) },
    store,
    silent,
    clock.now(),
  )
  assert.deepEqual(
    events.filter((event) => event.type === 'client_expired'),
    [{ type: 'client_expired', clientId: 'never-signed-in', requestId: 'sweep' }],
  )
  const sweep = events.find((event) => event.type === 'sweep')
  assert.ok(sweep && sweep.type === 'sweep', 'one sweep event with the counts')
  assert.equal(typeof sweep.counts['tokens'], 'number')
  assert.equal(await store.getClient('never-signed-in'), undefined)
})

test('a store that fails to sweep is a warn line, not a crash', async () => {
  const store = new MemoryStore()
  store.sweepExpired = async () => {
    throw new Error('database away')
  }
  const lines: string[] = []
  const log: SweepLog = { warn: (_fields, message) => lines.push(message), debug: () => undefined }
  await sweepOnce({ once: store.singleUse, clients: {} }, store, log, Date.now())
  assert.equal(lines.length, 1)
  assert.match(lines[0] ?? '', /sweeping expired OAuth state failed/)
})
