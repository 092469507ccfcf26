import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  codeRecord,
  FakeClock,
  sessionRecord,
  T0,
  tokenRecord,
  transactionRecord,
} from '@mxcp/auth-core/testing'
import { startTcpProxy } from '@mxcp/testing/network/tcp-proxy'
import { sweepLockKey } from '../src/advisory-key.js'
import type { PostgresStore } from '../src/postgres-store.js'
import { DATABASE_URL, dropSchema, openTestStore, randomSchema, withAdminClient } from './support/database.js'

const schema = randomSchema()
const clock = new FakeClock(T0)
let replicaA: PostgresStore
let replicaB: PostgresStore

before(async () => {
  // Long intervals: these tests call the periodic sweep's body themselves, one tick at a time.
  replicaA = await openTestStore(schema, { clock, sweepIntervalMs: 3_600_000 })
  replicaB = await openTestStore(schema, { clock, sweepIntervalMs: 3_600_000 })
})
after(async () => {
  await Promise.all([replicaA.close(), replicaB.close()])
  await dropSchema(schema)
})

/** Resolves once `check` holds, polling the database (the timer runs on real time, expiry does not). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('sweeping expired rows, one replica at a time', () => {
  test('a periodic sweep deletes what expired by the injected clock and keeps the rest', async () => {
    const dead = tokenRecord({ expiresAt: T0 + 1_000 })
    const live = tokenRecord({ expiresAt: T0 + 120_000 })
    const deadCode = codeRecord({ expiresAt: T0 + 1_000 })
    const deadTransaction = transactionRecord({ expiresAt: T0 + 1_000 })
    const deadSession = sessionRecord({ expiresAt: T0 + 1_000 })
    await replicaA.saveTokens([dead, live])
    await replicaA.saveCode(deadCode)
    await replicaA.saveTransaction(deadTransaction)
    await replicaA.saveSession(deadSession)

    assert.equal(await replicaA.sweepIfFirst(clock.now()), true)
    assert.ok(await replicaA.getToken(dead.tokenHash), 'nothing has expired yet')

    clock.advance(60_000)
    assert.equal(await replicaB.sweepIfFirst(clock.now()), true)
    assert.equal(await replicaA.getToken(dead.tokenHash), undefined)
    assert.deepEqual(await replicaA.getToken(live.tokenHash), live)
    assert.equal(
      (await replicaA.exchangeCode(deadCode.codeHash, clock.now(), 0, () => [])).outcome,
      'missing',
    )
    assert.equal(await replicaA.getSession(deadSession.sessionId), undefined)
  })

  test('while one replica holds the sweep lock, another one skips its sweep instead of waiting', async () => {
    const dead = tokenRecord({ expiresAt: clock.now() - 1 })
    await replicaA.saveTokens([dead])
    await withAdminClient(async (client) => {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [sweepLockKey(schema)])
      const started = performance.now()
      assert.equal(await replicaB.sweepIfFirst(clock.now()), false)
      assert.ok(performance.now() - started < 1_000, 'did not wait for the lock')
      assert.ok(await replicaA.getToken(dead.tokenHash), 'the skipped sweep deleted nothing')
      await client.query('COMMIT')
    })
    assert.equal(await replicaB.sweepIfFirst(clock.now()), true)
    assert.equal(await replicaA.getToken(dead.tokenHash), undefined)
  })

  test('a sweep on request waits for the replica that is sweeping, then sweeps', async () => {
    const dead = tokenRecord({ expiresAt: clock.now() - 1 })
    await replicaA.saveTokens([dead])
    let sweptWhileHeld = false
    await withAdminClient(async (client) => {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [sweepLockKey(schema)])
      const sweeping = replicaB.sweepExpired(clock.now()).then(() => {
        sweptWhileHeld = true
      })
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(sweptWhileHeld, false, 'the sweep waits for the lock')
      assert.ok(await replicaA.getToken(dead.tokenHash))
      await client.query('COMMIT')
      await sweeping
    })
    assert.equal(await replicaA.getToken(dead.tokenHash), undefined)
  })

  test('concurrent sweeps on two replicas: one sweeps, the other skips or finds nothing left', async () => {
    await replicaA.saveTokens([tokenRecord({ expiresAt: clock.now() - 1 })])
    const results = await Promise.all([
      replicaA.sweepIfFirst(clock.now()),
      replicaB.sweepIfFirst(clock.now()),
    ])
    assert.ok(results.includes(true))
  })

  test('the timer sweeps on its own, and close() stops it', async () => {
    const timed = await openTestStore(schema, { clock, sweepIntervalMs: 25 })
    const dead = tokenRecord({ expiresAt: clock.now() - 1 })
    await replicaA.saveTokens([dead])
    await eventually(async () => (await replicaA.getToken(dead.tokenHash)) === undefined)
    await timed.close()
    const later = tokenRecord({ expiresAt: clock.now() - 1 })
    await replicaA.saveTokens([later])
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.ok(await replicaA.getToken(later.tokenHash), 'a closed store sweeps no more')
  })

  test('a periodic sweep that fails (database down) is logged, does not crash, and sweeps again once it is back', async () => {
    const target = new URL(DATABASE_URL)
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
    const warnings: { obj: object; msg: string | undefined }[] = []
    const timed = await openTestStore(schema, {
      url: proxy.via(DATABASE_URL),
      clock,
      sweepIntervalMs: 25,
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    })
    try {
      proxy.cut('down')
      await eventually(async () => warnings.some((w) => /sweeping expired rows failed/.test(w.msg ?? '')))
      proxy.restore()
      const dead = tokenRecord({ expiresAt: clock.now() - 1 })
      await replicaA.saveTokens([dead])
      await eventually(async () => (await replicaA.getToken(dead.tokenHash)) === undefined)
      for (const { obj } of warnings) assert.doesNotMatch(JSON.stringify(obj), /postgres:\/\//)
    } finally {
      await timed.close()
      await proxy.close()
    }
  })
})
