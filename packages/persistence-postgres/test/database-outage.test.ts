import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { StoreUnavailableError } from '@mxcp/auth-core'
import { codeRecord, sessionRecord, T0, tokenRecord } from '@mxcp/auth-core/testing'
import { startTcpProxy, type TcpProxy } from '@mxcp/testing/network/tcp-proxy'
import { openPostgresStore } from '../src/index.js'
import type { PostgresStore } from '../src/postgres-store.js'
import {
  DATABASE_URL,
  dropSchema,
  openTestStore,
  randomSchema,
  schemaExists,
  TEST_KEY,
} from './support/database.js'

// The database is taken away with a proxy of our own between the pool and PostgreSQL: stopping the
// real server would disturb everyone else sharing this machine.
const schema = randomSchema()
let proxy: TcpProxy
let store: PostgresStore
/** Any warning the store logs, to check that it logs and never leaks. */
const warnings: { obj: object; msg: string | undefined }[] = []

before(async () => {
  const target = new URL(DATABASE_URL)
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
  store = await openTestStore(schema, {
    url: proxy.via(DATABASE_URL),
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
  })
})
after(async () => {
  await store.close()
  await proxy.close()
  await dropSchema(schema)
})

/** Runs `step`, expects `StoreUnavailableError`, returns how long the failure took (ms). */
async function expectUnavailable(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await assert.rejects(step, (error: unknown) => {
    assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`)
    assert.match(error.message, /unavailable/)
    return true
  })
  return performance.now() - started
}

describe('the database goes away and comes back', () => {
  test('a stopped database: every call fails fast with StoreUnavailableError, nothing is written, and the pool recovers', async () => {
    const session = sessionRecord()
    const token = tokenRecord({ sessionId: session.sessionId })
    await store.saveSession(session)
    await store.saveTokens([token])

    proxy.cut('down')
    const code = codeRecord()
    const elapsed = [
      await expectUnavailable(() => store.getToken(token.tokenHash)),
      await expectUnavailable(() => store.saveCode(code)),
      await expectUnavailable(() => store.rotateRefresh(token.tokenHash, T0, 0, () => [])),
      await expectUnavailable(() => store.revokeToken(token.tokenHash)),
      await expectUnavailable(() => store.deleteSession(session.sessionId)),
      await expectUnavailable(() => store.getSession(session.sessionId)),
    ]
    for (const ms of elapsed) assert.ok(ms < 2_500, `a call took ${Math.round(ms)} ms to fail`)

    let ranWhileDown = false
    await expectUnavailable(() =>
      store.withSessionLock(session.sessionId, async () => {
        ranWhileDown = true
      }),
    )
    assert.equal(ranWhileDown, false, 'the locked function must not run without the lock')

    proxy.restore()
    assert.deepEqual(
      await store.getToken(token.tokenHash),
      token,
      'the revocation attempted while down did nothing',
    )
    assert.deepEqual(await store.getSession(session.sessionId), session)
    assert.deepEqual(
      await store.exchangeCode(code.codeHash, T0, 0, () => []),
      { outcome: 'missing' },
      'no code was issued',
    )
    assert.equal(await store.withSessionLock(session.sessionId, async () => 'locked again'), 'locked again')
  })

  test('an unreachable database (no answer at all): a call fails after the 2 s connect timeout, then service resumes', async () => {
    // A store whose pool holds no connection yet, so the call must open one into the silence.
    const fresh = await openTestStore(schema, { url: proxy.via(DATABASE_URL) })
    const token = tokenRecord()
    try {
      proxy.cut('silent')
      const ms = await expectUnavailable(() => fresh.getToken(token.tokenHash))
      assert.ok(ms >= 1_500 && ms < 3_000, `failed after ${Math.round(ms)} ms, expected about 2 s`)
      await expectUnavailable(() => fresh.saveTokens([token]))
      proxy.restore()
      assert.equal(
        await fresh.getToken(token.tokenHash),
        undefined,
        'the save attempted while unreachable did nothing',
      )
      await fresh.saveTokens([token])
      assert.deepEqual(await fresh.getToken(token.tokenHash), token)
    } finally {
      proxy.restore()
      await fresh.close()
    }
  })

  test('after a restart, reads succeed at once on fresh connections and writes resume without a crash', async () => {
    const token = tokenRecord()
    await store.saveTokens([token])
    // Fill the pool with idle connections, then drop them all as a restarting server would.
    await Promise.all(Array.from({ length: 5 }, () => store.getToken(token.tokenHash)))
    proxy.cut('down')
    proxy.restore()
    assert.deepEqual(await store.getToken(token.tokenHash), token)
    // A write is not retried (it may have run); at worst it meets a dead connection and says so.
    for (let attempt = 1; ; attempt++) {
      try {
        await store.saveCode(codeRecord())
        break
      } catch (error) {
        assert.ok(error instanceof StoreUnavailableError, String(error))
        assert.ok(attempt < 5, 'writes did not resume')
      }
    }
  })

  test('an unavailable-database error names host, port and database but never the password', async () => {
    const withPassword = new URL(proxy.via(DATABASE_URL))
    withPassword.password = 'hunter2-very-secret'
    proxy.cut('down')
    try {
      await assert.rejects(
        openPostgresStore({ url: withPassword.toString(), encryptionKey: TEST_KEY, schema: randomSchema() }),
        (error: unknown) => {
          assert.ok(error instanceof StoreUnavailableError)
          assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${proxy.port}/test`))
          assert.doesNotMatch(error.message, /hunter2/)
          return true
        },
      )
    } finally {
      proxy.restore()
    }
  })

  test('the outages were logged as warnings, and no warning carries a secret', () => {
    assert.ok(warnings.length > 0, 'dropped idle connections are logged')
    for (const { obj, msg } of warnings) {
      const text = JSON.stringify(obj) + (msg ?? '')
      assert.doesNotMatch(text, /hunter2|gho_upstream|ghr_/)
    }
  })

  test('a store that cannot reach the database at start-up creates nothing', async () => {
    const fresh = randomSchema()
    proxy.cut('down')
    try {
      await assert.rejects(
        openPostgresStore({ url: proxy.via(DATABASE_URL), encryptionKey: TEST_KEY, schema: fresh }),
        StoreUnavailableError,
      )
    } finally {
      proxy.restore()
    }
    assert.equal(await schemaExists(fresh), false)
  })
})
