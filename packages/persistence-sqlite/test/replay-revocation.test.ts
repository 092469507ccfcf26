import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codeRecord, FakeClock, T0, tokenRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const KEY = 'test-key'

test('tokens saved into a family that another connection already revoked are stored revoked', async () => {
  // The race of a replayed code across two processes: B loses consumeCode and revokes the family
  // before A, the winner, has saved the tokens it issued.
  const path = tempDatabasePath()
  const clock = new FakeClock(T0)
  const winner = await openSqliteStore({ path, encryptionKey: KEY, clock })
  const loser = await openSqliteStore({ path, encryptionKey: KEY, clock })
  try {
    const code = codeRecord()
    await winner.saveCode(code)
    assert.equal((await winner.exchangeCode(code.codeHash, T0, 0, () => [])).outcome, 'consumed')
    assert.equal((await loser.exchangeCode(code.codeHash, T0, 0, () => [])).outcome, 'replayed')
    assert.equal(await loser.revokeFamily(code.familyId), 0, 'nothing was saved yet')

    const access = tokenRecord({ familyId: code.familyId })
    const refresh = tokenRecord({ familyId: code.familyId, kind: 'refresh' })
    const unrelated = tokenRecord({ familyId: 'another-family' })
    await winner.saveTokens([access, refresh, unrelated])
    assert.equal((await winner.getToken(access.tokenHash))?.revoked, true)
    assert.equal((await winner.getToken(refresh.tokenHash))?.revoked, true)
    assert.equal((await winner.rotateRefresh(refresh.tokenHash, T0, 0, () => [])).outcome, 'revoked')
    assert.equal((await winner.getToken(unrelated.tokenHash))?.revoked, false)
  } finally {
    await winner.close()
    await loser.close()
  }
})

test('a revoked family is remembered for 10 minutes, then swept', async () => {
  const path = tempDatabasePath()
  const clock = new FakeClock(T0)
  const store = await openSqliteStore({ path, encryptionKey: KEY, clock })
  try {
    await store.revokeFamily('family-x')
    clock.advance(9 * 60_000)
    const within = tokenRecord({ familyId: 'family-x', expiresAt: T0 + 86_400_000 })
    await store.saveTokens([within])
    assert.equal((await store.getToken(within.tokenHash))?.revoked, true)

    clock.advance(2 * 60_000)
    await store.sweepExpired(clock.now())
    const raw = new Database(path, { readonly: true })
    const remembered = raw.prepare('SELECT count(*) AS n FROM revoked_families').get() as { n: number }
    raw.close()
    assert.equal(remembered.n, 0, 'the sweep forgets expired family revocations')
  } finally {
    await store.close()
  }
})
