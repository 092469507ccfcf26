import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ClientLeases } from '../src/clients/client-lease.js'
import { FakeClock } from '../src/clock.js'
import { MemoryStore } from '../src/index.js'
import { clientRecord } from '../src/testing/index.js'

test('the sweep deletes a registration whose lease ran out and keeps a renewed one', async () => {
  const clock = new FakeClock()
  const store = new MemoryStore()
  const leases = new ClientLeases(store.singleUse, clock, {
    unprovenSeconds: 86_400,
    unusedSeconds: 90 * 86_400,
  })
  const idle = clientRecord({ clientId: 'idle' })
  const used = clientRecord({ clientId: 'used' })
  await store.saveClient(idle)
  await store.saveClient(used)
  await leases.registered('idle')
  await leases.registered('used')
  await leases.used('used')
  clock.advance(86_400_000 + 1)
  assert.equal(await leases.isLive('idle'), false)
  assert.equal(await leases.isLive('used'), true)
  assert.deepEqual(await leases.sweep(store, clock.now()), ['idle'])
  assert.equal(await store.getClient('idle'), undefined)
  assert.deepEqual(await store.getClient('used'), used)
  assert.equal(await leases.isLive('never-leased'), true, 'a client registered before leases is kept')
})
