import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codeRecord, FakeClock, T0, tokenRecord } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { RecordingLogger } from './helpers/recording-logger.js'
import { runScript } from './helpers/run-script.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const MINUTE = 60_000

test('the periodic sweep removes expired rows by the injected clock, keeping a used code until it expires', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] })
  const clock = new FakeClock(T0)
  const store = await openSqliteStore({ path: tempDatabasePath(), encryptionKey: 'test-key', clock })
  try {
    const shortToken = tokenRecord({ expiresAt: T0 + MINUTE })
    const longToken = tokenRecord({ expiresAt: T0 + 60 * MINUTE })
    const usedCode = codeRecord({ expiresAt: T0 + 5 * MINUTE })
    await store.saveTokens([shortToken, longToken])
    await store.saveCode(usedCode)
    assert.equal((await store.exchangeCode(usedCode.codeHash, T0, 0, () => [])).outcome, 'consumed')

    clock.advance(2 * MINUTE)
    t.mock.timers.tick(MINUTE)
    assert.equal(await store.getToken(shortToken.tokenHash), undefined, 'expired token swept')
    assert.deepEqual(await store.getToken(longToken.tokenHash), longToken)
    assert.equal(
      (await store.exchangeCode(usedCode.codeHash, clock.now(), 0, () => [])).outcome,
      'replayed',
      'a replay is still seen',
    )

    clock.advance(5 * MINUTE)
    t.mock.timers.tick(MINUTE)
    assert.equal(
      (await store.exchangeCode(usedCode.codeHash, clock.now(), 0, () => [])).outcome,
      'missing',
      'gone once expired',
    )
  } finally {
    await store.close()
  }
})

test('close() stops the sweep: no timer fires on a closed store', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] })
  const logger = new RecordingLogger()
  const store = await openSqliteStore({
    path: tempDatabasePath(),
    encryptionKey: 'test-key',
    logger,
    sweepIntervalMs: 1_000,
  })
  await store.close()
  t.mock.timers.tick(10_000)
  assert.deepEqual(logger.warnings, [], 'a sweep on the closed database would have logged a failure')
})

test("an open store does not keep the process alive: the sweep timer is unref'd", async () => {
  const path = tempDatabasePath()
  const started = Date.now()
  const result = await runScript('./leave-store-open-script.ts', [path], 60_000)
  assert.equal(result.code, 0, result.stderr)
  assert.ok(Date.now() - started < 60_000)
})

test('options that cannot work are refused with a message naming the option', async () => {
  const path = tempDatabasePath()
  await assert.rejects(openSqliteStore({ path: '' }), /`path`/)
  await assert.rejects(openSqliteStore({ path, sweepIntervalMs: 0 }), /`sweepIntervalMs`/)
  await assert.rejects(openSqliteStore({ path, sweepIntervalMs: 2 ** 31 }), /`sweepIntervalMs`/)
  await assert.rejects(openSqliteStore({ path, busyTimeoutMs: -1 }), /`busyTimeoutMs`/)
  await assert.rejects(openSqliteStore({ path, busyTimeoutMs: 1.5 }), /`busyTimeoutMs`/)
})
