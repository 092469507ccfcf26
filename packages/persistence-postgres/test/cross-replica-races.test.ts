import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { codeRecord, T0, tokenRecord, transactionRecord } from '@mxcp/auth-core/testing'
import type { PostgresStore } from '../src/postgres-store.js'
import { replicaStoresForTests } from './support/replica-stores.js'

// Two store instances stand for two replicas: separate pools, separate connections, one database.
const TRIALS = 50
const replicas = replicaStoresForTests()

describe('two replicas racing on one database', () => {
  test(`one code redeemed on both replicas at once: exactly one is consumed, ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const code = codeRecord()
      await replicas.A.saveCode(code)
      const [onA, onB] = await Promise.all([
        replicas.A.exchangeCode(code.codeHash, T0, 0, () => []),
        replicas.B.exchangeCode(code.codeHash, T0, 0, () => []),
      ])
      const outcomes = [onA.outcome, onB.outcome].sort()
      assert.deepEqual(outcomes, ['consumed', 'replayed'], `trial ${trial}`)
    }
  })

  test(`one refresh token rotated on both replicas at once: exactly one rotation, ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const refresh = tokenRecord({ kind: 'refresh' })
      await replicas.B.saveTokens([refresh])
      const [onA, onB] = await Promise.all([
        replicas.A.rotateRefresh(refresh.tokenHash, T0, 0, () => []),
        replicas.B.rotateRefresh(refresh.tokenHash, T0, 0, () => []),
      ])
      const outcomes = [onA.outcome, onB.outcome].sort()
      assert.deepEqual(outcomes, ['reused', 'rotated'], `trial ${trial}`)
    }
  })

  test(`one upstream transaction consumed on both replicas at once: exactly one gets it, ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const transaction = transactionRecord()
      await replicas.A.saveTransaction(transaction)
      const results = await Promise.all([
        replicas.A.consumeTransaction(transaction.id, T0),
        replicas.B.consumeTransaction(transaction.id, T0),
      ])
      assert.equal(results.filter(Boolean).length, 1, `trial ${trial}`)
      assert.deepEqual(results.find(Boolean), transaction)
    }
  })

  test('ten racers over both replicas on one code: one consumed, nine replays', async () => {
    const code = codeRecord()
    await replicas.A.saveCode(code)
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? replicas.A : replicas.B).exchangeCode(code.codeHash, T0, 0, () => []),
      ),
    )
    assert.equal(results.filter((r) => r.outcome === 'consumed').length, 1)
    assert.equal(results.filter((r) => r.outcome === 'replayed').length, 9)
  })

  test(`a code raced on two replicas, as the token endpoint plays it: the winner's tokens end up revoked, ${TRIALS} trials`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const code = codeRecord()
      await replicas.A.saveCode(code)
      // The winner saves what it issued; the loser sees a replay and revokes the family (RFC 9700 §4.2.4),
      // in whatever order the two replicas happen to run.
      const redeem = async (store: PostgresStore) => {
        const result = await store.exchangeCode(code.codeHash, T0, 0, () => [])
        if (result.outcome === 'replayed') {
          await store.revokeFamily(result.code.familyId)
          return []
        }
        assert.equal(result.outcome, 'consumed')
        const issued = [
          tokenRecord({ familyId: code.familyId }),
          tokenRecord({ familyId: code.familyId, kind: 'refresh' }),
        ]
        await store.saveTokens(issued)
        return issued
      }
      const issued = (await Promise.all([redeem(replicas.A), redeem(replicas.B)])).flat()
      assert.equal(issued.length, 2, `trial ${trial}: one winner`)
      for (const token of issued) {
        assert.equal((await replicas.B.getToken(token.tokenHash))?.revoked, true, `trial ${trial}`)
      }
    }
  })

  test('tokens saved into a family after another replica revoked it are stored revoked; other families are not', async () => {
    const familyId = 'family-revoked-on-a'
    await replicas.A.revokeFamily(familyId)
    const late = tokenRecord({ familyId })
    const unrelated = tokenRecord({ familyId: 'family-alive' })
    await replicas.B.saveTokens([late, unrelated])
    assert.equal((await replicas.A.getToken(late.tokenHash))?.revoked, true)
    assert.equal((await replicas.A.getToken(unrelated.tokenHash))?.revoked, false)
  })

  test('a revocation on one replica is seen by the next lookup on the other', async () => {
    const access = tokenRecord()
    await replicas.A.saveTokens([access])
    assert.equal((await replicas.B.getToken(access.tokenHash))?.revoked, false)
    await replicas.A.revokeToken(access.tokenHash)
    assert.equal((await replicas.B.getToken(access.tokenHash))?.revoked, true)
  })

  test('a logout on one replica revokes the session tokens as seen by the other', async () => {
    const access = tokenRecord({ sessionId: 'logout-session' })
    const refresh = tokenRecord({ sessionId: 'logout-session', kind: 'refresh' })
    await replicas.B.saveTokens([access, refresh])
    await replicas.A.deleteSession('logout-session')
    assert.equal((await replicas.B.getToken(access.tokenHash))?.revoked, true)
    assert.equal((await replicas.B.rotateRefresh(refresh.tokenHash, T0, 0, () => [])).outcome, 'revoked')
  })
})
