import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { OAuthStore } from '../store/oauth-store.js'
import type { TokenRecord } from '../store/records.js'
import {
  clientRecord,
  codeRecord,
  sessionRecord,
  T0,
  tokenRecord,
  transactionRecord,
} from './record-fixtures.js'
import { atomicContract } from './store-contract-atomic.js'
import { type OpenReplicas, replicaContract } from './store-contract-replicas.js'

const RACERS = 10

/** An `issue` callback that mints nothing: the code or token is used up, no token saved. */
const NO_TOKENS = (): readonly TokenRecord[] => []

export interface StoreContractOptions {
  /**
   * Two stores on one storage, as two replicas (processes) of a server open it, for the tests of
   * what replicas share: the session lock and born-revoked families. Without it those tests run on
   * one store opened by `open` (a store of one process, like the memory store).
   */
  readonly replicas?: OpenReplicas
}

/**
 * The contract every `OAuthStore` must keep. Call it from a store's own test file:
 * `storeContract('sqlite', async () => openSqliteStore(tmpPath()), { replicas })`. A fresh store
 * (or pair of replicas) per test.
 */
export function storeContract(
  name: string,
  open: () => Promise<OAuthStore>,
  options: StoreContractOptions = {},
): void {
  const withStore = (title: string, body: (store: OAuthStore) => Promise<void>) =>
    test(title, async () => {
      const store = await open()
      try {
        await body(store)
      } finally {
        await store.close()
      }
    })

  const openReplicas: OpenReplicas =
    options.replicas ?? (async () => open().then((store) => [store, store] as const))
  const withReplicas = (title: string, body: (a: OAuthStore, b: OAuthStore) => Promise<void>) =>
    test(title, async () => {
      const [a, b] = await openReplicas()
      try {
        await body(a, b)
      } finally {
        await a.close()
        if (b !== a) await b.close()
      }
    })

  describe(`OAuthStore contract: ${name}`, () => {
    atomicContract(withStore)
    replicaContract(withReplicas)

    withStore('a saved client is read back unchanged', async (store) => {
      const client = clientRecord({ clientSecretHash: undefined, tokenEndpointAuthMethod: 'none' })
      await store.saveClient(client)
      assert.deepEqual(await store.getClient(client.clientId), client)
      assert.equal(await store.getClient('unknown'), undefined)
    })

    withStore('a transaction is consumed once and returned intact', async (store) => {
      const transaction = transactionRecord()
      await store.saveTransaction(transaction)
      assert.deepEqual(await store.consumeTransaction(transaction.id, T0), transaction)
      assert.equal(await store.consumeTransaction(transaction.id, T0), undefined)
    })

    withStore('an expired transaction cannot be consumed', async (store) => {
      const transaction = transactionRecord()
      await store.saveTransaction(transaction)
      assert.equal(await store.consumeTransaction(transaction.id, transaction.expiresAt), undefined)
    })

    withStore('concurrent consumers of one transaction: exactly one wins', async (store) => {
      const transaction = transactionRecord()
      await store.saveTransaction(transaction)
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => store.consumeTransaction(transaction.id, T0)),
      )
      assert.equal(results.filter(Boolean).length, 1)
    })

    withStore('a code is consumed once; a second use is reported as a replay', async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      assert.deepEqual(await store.exchangeCode(code.codeHash, T0, 0, NO_TOKENS), {
        outcome: 'consumed',
        code,
        tokens: [],
      })
      assert.deepEqual(await store.exchangeCode(code.codeHash, T0, 0, NO_TOKENS), {
        outcome: 'replayed',
        code,
      })
      assert.deepEqual(await store.exchangeCode('unknown', T0, 0, NO_TOKENS), { outcome: 'missing' })
    })

    withStore('an expired code is refused', async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      assert.deepEqual(await store.exchangeCode(code.codeHash, code.expiresAt, 0, NO_TOKENS), {
        outcome: 'expired',
      })
    })

    withStore('concurrent redemptions of one code: exactly one is consumed', async (store) => {
      const code = codeRecord()
      await store.saveCode(code)
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => store.exchangeCode(code.codeHash, T0, 0, NO_TOKENS)),
      )
      assert.equal(results.filter((r) => r.outcome === 'consumed').length, 1)
      assert.equal(results.filter((r) => r.outcome === 'replayed').length, RACERS - 1)
    })

    withStore('tokens are saved and read back by hash', async (store) => {
      const access = tokenRecord()
      const refresh = tokenRecord({ kind: 'refresh', expiresAt: T0 + 86_400_000 })
      await store.saveTokens([access, refresh])
      assert.deepEqual(await store.getToken(access.tokenHash), access)
      assert.deepEqual(await store.getToken(refresh.tokenHash), refresh)
      assert.equal(await store.getToken('unknown'), undefined)
    })

    withStore('a refresh token rotates once; reuse is reported', async (store) => {
      const refresh = tokenRecord({ kind: 'refresh' })
      await store.saveTokens([refresh])
      const first = await store.rotateRefresh(refresh.tokenHash, T0, 0, NO_TOKENS)
      assert.equal(first.outcome, 'rotated')
      const second = await store.rotateRefresh(refresh.tokenHash, T0, 0, NO_TOKENS)
      assert.equal(second.outcome, 'reused')
      assert.equal('token' in second && second.token.familyId, refresh.familyId)
    })

    withStore('an access token cannot be rotated as a refresh token', async (store) => {
      const access = tokenRecord()
      await store.saveTokens([access])
      assert.equal((await store.rotateRefresh(access.tokenHash, T0, 0, NO_TOKENS)).outcome, 'missing')
    })

    withStore('expired and revoked refresh tokens do not rotate', async (store) => {
      const expired = tokenRecord({ kind: 'refresh' })
      const revoked = tokenRecord({ kind: 'refresh', revoked: true })
      await store.saveTokens([expired, revoked])
      assert.equal(
        (await store.rotateRefresh(expired.tokenHash, expired.expiresAt, 0, NO_TOKENS)).outcome,
        'expired',
      )
      assert.equal((await store.rotateRefresh(revoked.tokenHash, T0, 0, NO_TOKENS)).outcome, 'revoked')
    })

    withStore('concurrent rotations of one refresh token: exactly one wins', async (store) => {
      const refresh = tokenRecord({ kind: 'refresh' })
      await store.saveTokens([refresh])
      const results = await Promise.all(
        Array.from({ length: RACERS }, () => store.rotateRefresh(refresh.tokenHash, T0, 0, NO_TOKENS)),
      )
      assert.equal(results.filter((r) => r.outcome === 'rotated').length, 1)
    })

    withStore('revoking a token marks only that token', async (store) => {
      const one = tokenRecord()
      const other = tokenRecord()
      await store.saveTokens([one, other])
      assert.deepEqual(await store.revokeToken(one.tokenHash), one)
      assert.equal((await store.getToken(one.tokenHash))?.revoked, true)
      assert.equal((await store.getToken(other.tokenHash))?.revoked, false)
      assert.equal(await store.revokeToken('unknown'), undefined)
    })

    withStore('revoking a family revokes all of its tokens and no others', async (store) => {
      const family = [tokenRecord({ familyId: 'f1' }), tokenRecord({ familyId: 'f1', kind: 'refresh' })]
      const stranger = tokenRecord({ familyId: 'f2' })
      await store.saveTokens([...family, stranger])
      assert.equal(await store.revokeFamily('f1'), 2)
      for (const token of family) assert.equal((await store.getToken(token.tokenHash))?.revoked, true)
      assert.equal((await store.getToken(stranger.tokenHash))?.revoked, false)
    })

    withStore('a session round-trips with its upstream tokens and user', async (store) => {
      const session = sessionRecord()
      await store.saveSession(session)
      assert.deepEqual(await store.getSession(session.sessionId), session)
      assert.equal(await store.getSession('unknown'), undefined)
    })

    withStore('a session is updated in place', async (store) => {
      const session = sessionRecord()
      await store.saveSession(session)
      const upstream = { accessToken: 'new-upstream', refreshToken: 'new-refresh', expiresAt: T0 + 1000 }
      await store.updateSession(session.sessionId, { upstream, userFetchedAt: T0 + 5 })
      const updated = await store.getSession(session.sessionId)
      assert.deepEqual(updated?.upstream, upstream)
      assert.equal(updated?.userFetchedAt, T0 + 5)
      assert.deepEqual(updated?.user, session.user)
    })

    withStore('deleting a session revokes every token issued under it', async (store) => {
      const session = sessionRecord()
      await store.saveSession(session)
      const mine = tokenRecord({ sessionId: session.sessionId })
      const theirs = tokenRecord({ sessionId: 'other' })
      await store.saveTokens([mine, theirs])
      await store.deleteSession(session.sessionId)
      assert.equal(await store.getSession(session.sessionId), undefined)
      assert.equal((await store.getToken(mine.tokenHash))?.revoked, true)
      assert.equal((await store.getToken(theirs.tokenHash))?.revoked, false)
    })

    withStore('the sweep removes expired rows and keeps used codes until they expire', async (store) => {
      const liveCode = codeRecord({ expiresAt: T0 + 120_000 })
      const deadCode = codeRecord({ expiresAt: T0 + 10_000 })
      await store.saveCode(liveCode)
      await store.saveCode(deadCode)
      await store.exchangeCode(liveCode.codeHash, T0, 0, NO_TOKENS)
      const deadToken = tokenRecord({ expiresAt: T0 + 10_000 })
      const liveToken = tokenRecord({ expiresAt: T0 + 120_000 })
      await store.saveTokens([deadToken, liveToken])
      const deadTransaction = transactionRecord({ expiresAt: T0 + 10_000 })
      await store.saveTransaction(deadTransaction)
      const deadSession = sessionRecord({ expiresAt: T0 + 10_000 })
      await store.saveSession(deadSession)

      await store.sweepExpired(T0 + 60_000)

      assert.equal(
        (await store.exchangeCode(liveCode.codeHash, T0 + 60_000, 0, NO_TOKENS)).outcome,
        'replayed',
      )
      assert.equal(
        (await store.exchangeCode(deadCode.codeHash, T0 + 60_000, 0, NO_TOKENS)).outcome,
        'missing',
      )
      assert.equal(await store.getToken(deadToken.tokenHash), undefined)
      assert.deepEqual(await store.getToken(liveToken.tokenHash), liveToken)
      assert.equal(await store.consumeTransaction(deadTransaction.id, T0), undefined)
      assert.equal(await store.getSession(deadSession.sessionId), undefined)
    })
  })
}
