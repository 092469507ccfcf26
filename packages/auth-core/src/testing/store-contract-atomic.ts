import assert from 'node:assert/strict'
import type { OAuthStore } from '../store/oauth-store.js'
import type { SessionRecord, TokenRecord } from '../store/records.js'
import { UNUSED_CLIENT_MS } from '../store-kit/sweep-rules.js'
import {
  clientRecord,
  codeRecord,
  sessionRecord,
  T0,
  tokenRecord,
  transactionRecord,
} from './record-fixtures.js'

type WithStore = (title: string, body: (store: OAuthStore) => Promise<void>) => void

const GRACE_MS = 30_000
const RACERS = 10

/** A fresh access + refresh pair of one family, as a grant would mint it. */
function pair(familyId: string, sessionId = 'session-1'): TokenRecord[] {
  return [
    tokenRecord({ familyId, sessionId }),
    tokenRecord({ familyId, sessionId, kind: 'refresh', expiresAt: T0 + 86_400_000 }),
  ]
}

/** Saves a session and a refresh token under it; the token's family is its own. */
async function seedRefresh(store: OAuthStore): Promise<{ session: SessionRecord; refresh: TokenRecord }> {
  const session = sessionRecord()
  await store.saveSession(session)
  const refresh = tokenRecord({
    kind: 'refresh',
    sessionId: session.sessionId,
    familyId: `family-${session.sessionId}`,
    expiresAt: T0 + 86_400_000,
  })
  await store.saveTokens([refresh])
  return { session, refresh }
}

/**
 * The contract of the atomic operations (issue 22): a code exchange and a refresh rotation are
 * each one transaction with the tokens they yield; the refresh grace window; tokens saved into a
 * revoked family are born revoked; the session lock, where the store offers one.
 */
export function atomicContract(withStore: WithStore): void {
  withStore('exchanging a code saves its tokens in the same operation', async (store) => {
    const session = sessionRecord()
    await store.saveSession(session)
    const code = codeRecord({ sessionId: session.sessionId })
    await store.saveCode(code)
    const minted = pair(code.familyId, session.sessionId)
    let seen: SessionRecord | undefined
    const result = await store.exchangeCode(code.codeHash, T0, 0, (_code, current) => {
      seen = current
      return minted
    })
    assert.equal(result.outcome, 'consumed')
    assert.deepEqual(seen, session, 'issue() sees the code’s session')
    for (const token of minted) assert.deepEqual(await store.getToken(token.tokenHash), token)
  })

  withStore('a declined exchange changes nothing: the code stays usable', async (store) => {
    const code = codeRecord()
    await store.saveCode(code)
    assert.deepEqual(await store.exchangeCode(code.codeHash, T0, 0, () => undefined), {
      outcome: 'declined',
      code,
    })
    assert.equal((await store.exchangeCode(code.codeHash, T0, 0, () => [])).outcome, 'consumed')
  })

  withStore('an exchange whose issue() throws changes nothing and passes the error on', async (store) => {
    const code = codeRecord()
    await store.saveCode(code)
    const minted = pair(code.familyId)
    await assert.rejects(
      store.exchangeCode(code.codeHash, T0, 0, () => {
        throw new Error('minting failed')
      }),
      /minting failed/,
    )
    assert.equal((await store.exchangeCode(code.codeHash, T0, 0, () => minted)).outcome, 'consumed')
    assert.equal((await store.getToken(minted[0]?.tokenHash ?? ''))?.revoked, false)
  })

  withStore(
    'concurrent exchanges of one code: one saves its tokens, the others save nothing',
    async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      const batches = Array.from({ length: RACERS }, () => pair(code.familyId))
      const results = await Promise.all(
        batches.map((batch) => store.exchangeCode(code.codeHash, T0, 0, () => batch)),
      )
      assert.equal(results.filter((r) => r.outcome === 'consumed').length, 1)
      const saved = await Promise.all(batches.flat().map((token) => store.getToken(token.tokenHash)))
      assert.equal(saved.filter(Boolean).length, 2, 'only the winner’s pair exists')
    },
  )

  withStore(
    'a code replayed inside the grace window while its tokens are unused is exchanged again; the first tokens are revoked',
    async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      const lost = pair(code.familyId)
      await store.exchangeCode(code.codeHash, T0, GRACE_MS, () => lost)
      const retry = pair(code.familyId)
      const result = await store.exchangeCode(code.codeHash, T0 + GRACE_MS - 1, GRACE_MS, () => retry)
      assert.equal(result.outcome, 'consumed')
      for (const token of lost) assert.equal((await store.getToken(token.tokenHash))?.revoked, true)
      for (const token of retry) assert.deepEqual(await store.getToken(token.tokenHash), token)
      const again = await store.exchangeCode(code.codeHash, T0 + 2, GRACE_MS, () => pair(code.familyId))
      assert.equal(again.outcome, 'replayed', 'once only: a second replay is a replay')
    },
  )

  withStore(
    'a code replay that mints nothing, comes after the window or after a token was used is a replay',
    async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      const first = pair(code.familyId)
      await store.exchangeCode(code.codeHash, T0, GRACE_MS, () => first)
      // Failed binding checks (another client, a wrong PKCE verifier): nothing changes.
      assert.equal((await store.exchangeCode(code.codeHash, T0 + 1, GRACE_MS, () => [])).outcome, 'replayed')
      assert.equal((await store.getToken(first[0]?.tokenHash ?? ''))?.revoked, false)
      assert.equal(
        (await store.exchangeCode(code.codeHash, T0 + GRACE_MS, GRACE_MS, () => pair(code.familyId))).outcome,
        'replayed',
      )
      await store.rotateRefresh(first[1]?.tokenHash ?? '', T0 + 2, GRACE_MS, () => [])
      assert.equal(
        (await store.exchangeCode(code.codeHash, T0 + 3, GRACE_MS, () => pair(code.familyId))).outcome,
        'replayed',
      )
    },
  )

  withStore('rotation saves the successor and records when and by what it was replaced', async (store) => {
    const { session, refresh } = await seedRefresh(store)
    const next = pair(refresh.familyId, session.sessionId)
    const result = await store.rotateRefresh(refresh.tokenHash, T0 + 5, GRACE_MS, () => next)
    assert.equal(result.outcome, 'rotated')
    const old = await store.getToken(refresh.tokenHash)
    assert.equal(old?.consumed, true)
    assert.equal(old?.rotatedAt, T0 + 5)
    assert.equal(old?.successorHash, next[1]?.tokenHash)
    for (const token of next) assert.deepEqual(await store.getToken(token.tokenHash), token)
  })

  withStore('a declined rotation changes nothing: the refresh token stays live', async (store) => {
    const { refresh } = await seedRefresh(store)
    assert.equal(
      (await store.rotateRefresh(refresh.tokenHash, T0, GRACE_MS, () => undefined)).outcome,
      'declined',
    )
    assert.deepEqual(await store.getToken(refresh.tokenHash), refresh)
  })

  withStore(
    'a replay inside the grace window yields new tokens and supersedes the unused successor',
    async (store) => {
      const { session, refresh } = await seedRefresh(store)
      const lost = pair(refresh.familyId, session.sessionId)
      await store.rotateRefresh(refresh.tokenHash, T0, GRACE_MS, () => lost)
      const retry = pair(refresh.familyId, session.sessionId)
      const result = await store.rotateRefresh(refresh.tokenHash, T0 + GRACE_MS - 1, GRACE_MS, () => retry)
      assert.equal(result.outcome, 'grace')
      for (const token of retry) assert.deepEqual(await store.getToken(token.tokenHash), token)
      assert.equal((await store.getToken(refresh.tokenHash))?.successorHash, retry[1]?.tokenHash)
      const again = await store.rotateRefresh(refresh.tokenHash, T0 + 2, GRACE_MS, () =>
        pair(refresh.familyId),
      )
      assert.equal(again.outcome, 'reused', 'once only: a second replay is reuse')
      // The superseded successor has no window of its own: using it is reuse.
      const lostRefresh = lost[1]?.tokenHash ?? ''
      assert.equal((await store.getToken(lostRefresh))?.consumed, true)
      const late = await store.rotateRefresh(lostRefresh, T0 + GRACE_MS - 1, GRACE_MS, () => [])
      assert.equal(late.outcome, 'reused')
    },
  )

  withStore('a replay after the grace window is reuse', async (store) => {
    const { refresh } = await seedRefresh(store)
    await store.rotateRefresh(refresh.tokenHash, T0, GRACE_MS, () => pair(refresh.familyId))
    const result = await store.rotateRefresh(refresh.tokenHash, T0 + GRACE_MS, GRACE_MS, () => [])
    assert.equal(result.outcome, 'reused')
  })

  withStore('a replay after the successor was used is reuse, even inside the window', async (store) => {
    const { refresh } = await seedRefresh(store)
    const next = pair(refresh.familyId)
    await store.rotateRefresh(refresh.tokenHash, T0, GRACE_MS, () => next)
    const used = await store.rotateRefresh(next[1]?.tokenHash ?? '', T0 + 1, GRACE_MS, () => [])
    assert.equal(used.outcome, 'rotated')
    assert.equal((await store.rotateRefresh(refresh.tokenHash, T0 + 2, GRACE_MS, () => [])).outcome, 'reused')
  })

  withStore('a grace window of 0 turns the window off', async (store) => {
    const { refresh } = await seedRefresh(store)
    await store.rotateRefresh(refresh.tokenHash, T0, 0, () => pair(refresh.familyId))
    assert.equal((await store.rotateRefresh(refresh.tokenHash, T0 + 1, 0, () => [])).outcome, 'reused')
  })

  withStore(
    'concurrent rotations without a grace window: one saves its successor, the rest are reuse',
    async (store) => {
      const { refresh } = await seedRefresh(store)
      const batches = Array.from({ length: RACERS }, () => pair(refresh.familyId))
      const results = await Promise.all(
        batches.map((batch) => store.rotateRefresh(refresh.tokenHash, T0, 0, () => batch)),
      )
      assert.equal(results.filter((r) => r.outcome === 'rotated').length, 1)
      assert.equal(results.filter((r) => r.outcome === 'reused').length, RACERS - 1)
      const saved = await Promise.all(batches.flat().map((token) => store.getToken(token.tokenHash)))
      assert.equal(saved.filter(Boolean).length, 2)
    },
  )

  withStore('tokens saved into a revoked family are born revoked', async (store) => {
    await store.revokeFamily('family-revoked')
    const late = pair('family-revoked')
    await store.saveTokens(late)
    for (const token of late) assert.equal((await store.getToken(token.tokenHash))?.revoked, true)
    const code = codeRecord({ familyId: 'family-revoked' })
    await store.saveCode(code)
    const minted = pair('family-revoked')
    const result = await store.exchangeCode(code.codeHash, T0, 0, () => minted)
    assert.ok(result.outcome === 'consumed' && result.tokens.every((token) => token.revoked))
    const other = pair('family-alive')
    await store.saveTokens(other)
    for (const token of other) assert.equal((await store.getToken(token.tokenHash))?.revoked, false)
  })

  withStore(
    'the sweep removes clients never used a day after registering, keeps those in use, and counts',
    async (store) => {
      const unused = clientRecord()
      const fresh = clientRecord({ issuedAt: T0 + UNUSED_CLIENT_MS })
      const withToken = clientRecord()
      const withLogin = clientRecord()
      for (const client of [unused, fresh, withToken, withLogin]) await store.saveClient(client)
      await store.saveTokens([
        tokenRecord({ clientId: withToken.clientId, expiresAt: T0 + 2 * UNUSED_CLIENT_MS }),
      ])
      await store.saveTransaction(
        transactionRecord({ clientId: withLogin.clientId, expiresAt: T0 + 2 * UNUSED_CLIENT_MS }),
      )
      const counts = await store.sweepExpired(T0 + UNUSED_CLIENT_MS)
      assert.equal(await store.getClient(unused.clientId), undefined)
      for (const kept of [fresh, withToken, withLogin]) assert.ok(await store.getClient(kept.clientId))
      if (counts) assert.ok(counts.clients >= 1, `${counts.clients} clients swept`)
    },
  )

  withStore('the session lock runs one holder at a time per session', async (store) => {
    if (!store.withSessionLock) return
    const lock = store.withSessionLock.bind(store)
    let inside = 0
    let most = 0
    const hold = () =>
      lock('session-locked', async () => {
        inside++
        most = Math.max(most, inside)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inside--
        return inside
      })
    await Promise.all([hold(), hold(), hold(), lock('another-session', async () => 0)])
    assert.equal(most, 1)
    // What the function throws passes through, and the lock is free again afterwards.
    await assert.rejects(
      lock('session-locked', async () => Promise.reject(new Error('inner'))),
      /inner/,
    )
    assert.equal(await lock('session-locked', async () => 'again'), 'again')
  })
}
