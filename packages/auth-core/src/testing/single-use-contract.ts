import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { OAuthStore } from '../store/oauth-store.js'
import { type SingleUseRecords, singleUseRecordsOf } from '../store/single-use-records.js'
import { T0 } from './record-fixtures.js'

const RACERS = 10

/**
 * The contract of a store's `SingleUseRecords` (issue 15): call it beside `storeContract` from a
 * store's own test file. `open` may return the same database each time (replicas): keys are
 * random per test.
 */
export function singleUseContract(name: string, open: () => Promise<OAuthStore>): void {
  const withRecords = (title: string, body: (records: SingleUseRecords) => Promise<void>) =>
    test(title, async () => {
      const store = await open()
      try {
        const records = singleUseRecordsOf(store)
        assert.ok(records, `${name} has no single-use records`)
        await body(records)
      } finally {
        await store.close()
      }
    })
  const unique = (label: string): string => `${label}-${Math.random().toString(36).slice(2)}`

  describe(`SingleUseRecords contract: ${name}`, () => {
    withRecords('a key is claimed once while it lives, again once it expired', async (records) => {
      const key = unique('jti')
      assert.equal(await records.claimOnce('jti', key, T0 + 1000, T0), true)
      assert.equal(await records.claimOnce('jti', key, T0 + 1000, T0 + 999), false)
      assert.equal(await records.claimOnce('other-kind', key, T0 + 1000, T0), true, 'kinds are apart')
      assert.equal(await records.claimOnce('jti', key, T0 + 5000, T0 + 1000), true)
    })

    withRecords('concurrent claims of one key have exactly one winner', async (records) => {
      const key = unique('form')
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => records.claimOnce('consent', key, T0 + 1000, T0)),
      )
      assert.equal(results.filter(Boolean).length, 1)
    })

    withRecords('a limit caps the live records of a kind, and a release frees a slot', async (records) => {
      const kind = unique('pending')
      const keys = Array.from({ length: 4 }, (_, i) => unique(`tx${i}`))
      const results = await Promise.all(keys.map((key) => records.claimOnce(kind, key, T0 + 1000, T0, 3)))
      assert.equal(results.filter(Boolean).length, 3)
      const loser = keys[results.indexOf(false)] ?? ''
      const winner = keys[results.indexOf(true)] ?? ''
      assert.equal(await records.claimOnce(kind, loser, T0 + 1000, T0, 3), false)
      await records.releaseClaims(winner)
      assert.equal(await records.claimOnce(kind, loser, T0 + 1000, T0, 3), true)
      assert.equal(
        await records.claimOnce(kind, unique('late'), T0 + 3000, T0 + 2000, 3),
        true,
        'expired ones do not count',
      )
    })

    withRecords('hits are counted per key in fixed windows', async (records) => {
      const key = unique('ip')
      assert.deepEqual(await records.countHit(key, 60_000, T0), { count: 1, resetAt: T0 + 60_000 })
      const counts = await Promise.all(
        Array.from({ length: RACERS }, () => records.countHit(key, 60_000, T0 + 10)),
      )
      assert.deepEqual(
        counts.map((c) => c.count).sort((a, b) => a - b),
        Array.from({ length: RACERS }, (_, i) => i + 2),
      )
      assert.equal((await records.countHit(unique('ip'), 60_000, T0)).count, 1)
      assert.deepEqual(await records.countHit(key, 60_000, T0 + 60_000), { count: 1, resetAt: T0 + 120_000 })
    })

    withRecords('a lease is set, read, moved, and taken once expired', async (records) => {
      const kind = unique('lease')
      assert.equal(await records.claimExpiry(kind, 'c1'), undefined)
      await records.setClaimExpiry(kind, 'c1', T0 + 100)
      await records.setClaimExpiry(kind, 'c2', T0 + 100)
      await records.setClaimExpiry(kind, 'c3', T0 + 10_000)
      assert.equal(await records.claimExpiry(kind, 'c1'), T0 + 100)
      await records.setClaimExpiry(kind, 'c2', T0 + 20_000)
      assert.deepEqual(await records.takeExpiredClaims(kind, T0 + 1000, 10), ['c1'])
      assert.deepEqual(await records.takeExpiredClaims(kind, T0 + 1000, 10), [])
      assert.equal(await records.claimExpiry(kind, 'c2'), T0 + 20_000)
      assert.deepEqual((await records.takeExpiredClaims(kind, T0 + 30_000, 1)).length, 1)
    })

    withRecords('the sweep removes what expired and keeps what lives', async (records) => {
      const kind = unique('sweep')
      await records.claimOnce(kind, 'old', T0 + 10, T0)
      await records.claimOnce(kind, 'live', T0 + 10_000, T0)
      await records.sweepSingleUse(T0 + 100)
      assert.equal(await records.claimOnce(kind, 'live', T0 + 10_000, T0 + 100), false)
      assert.equal(await records.claimOnce(kind, 'old', T0 + 10_000, T0 + 100), true)
    })
  })
}
