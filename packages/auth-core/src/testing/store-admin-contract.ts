import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { OAuthStore } from '../store/oauth-store.js'
import type { StoreAdmin } from '../store/store-admin.js'
import { clientRecord, codeRecord, sessionRecord, T0, tokenRecord } from './record-fixtures.js'

const NOW = T0 + 1000

/** A session of `username` with an access and a refresh token issued to `clientId`. */
async function signedIn(
  store: OAuthStore,
  clientId: string,
  user: { userId: string; username: string },
): Promise<{ sessionId: string; access: string; refresh: string }> {
  const session = sessionRecord({
    user: { ...user, email: undefined, name: undefined, rawProfile: {} },
  })
  await store.saveSession(session)
  const familyId = `family-${session.sessionId}`
  const access = tokenRecord({ clientId, sessionId: session.sessionId, familyId })
  const refresh = tokenRecord({ clientId, sessionId: session.sessionId, familyId, kind: 'refresh' })
  await store.saveTokens([access, refresh])
  return { sessionId: session.sessionId, access: access.tokenHash, refresh: refresh.tokenHash }
}

async function isRevoked(store: OAuthStore, tokenHash: string): Promise<boolean> {
  return (await store.getToken(tokenHash))?.revoked === true
}

/**
 * The contract of `OAuthStore.admin` (the operator commands). Call it next to `storeContract`:
 * `storeAdminContract('sqlite', async () => openSqliteStore(tmpPath()))`. A fresh store per test.
 */
export function storeAdminContract(name: string, open: () => Promise<OAuthStore>): void {
  const withAdmin = (title: string, body: (store: OAuthStore, admin: StoreAdmin) => Promise<void>) =>
    test(title, async () => {
      const store = await open()
      try {
        assert.ok(store.admin, 'the store offers admin commands')
        await body(store, store.admin)
      } finally {
        await store.close()
      }
    })

  describe(`StoreAdmin contract: ${name}`, () => {
    withAdmin(
      'clients are listed oldest first, and a removed client is gone with its tokens',
      async (store, admin) => {
        const older = clientRecord({ issuedAt: T0 - 5000, clientName: 'Older' })
        const newer = clientRecord({ issuedAt: T0, clientName: 'Newer' })
        await store.saveClient(newer)
        await store.saveClient(older)
        assert.deepEqual(
          (await admin.listClients()).map((client) => client.clientName),
          ['Older', 'Newer'],
        )
        const ada = await signedIn(store, older.clientId, { userId: '1', username: 'ada' })
        const removal = await admin.removeClient(older.clientId)
        assert.deepEqual(removal, { removed: true, sessions: 1, tokens: 2 })
        assert.equal(await store.getClient(older.clientId), undefined)
        assert.ok(await isRevoked(store, ada.access))
        assert.equal(await store.getSession(ada.sessionId), undefined)
        assert.deepEqual(await admin.removeClient(older.clientId), { removed: false, sessions: 0, tokens: 0 })
        assert.ok(await store.getClient(newer.clientId), 'the other client stays')
      },
    )

    withAdmin(
      'sessions list who is signed in, through which client, filtered by user id or username',
      async (store, admin) => {
        const ada = await signedIn(store, 'client-a', { userId: '1815', username: 'Ada' })
        await signedIn(store, 'client-b', { userId: '1906', username: 'grace' })
        await store.saveSession(sessionRecord({ expiresAt: NOW - 1 }))
        const all = await admin.listSessions(NOW)
        assert.equal(all.length, 2, 'an expired session is not listed')
        const [one] = await admin.listSessions(NOW, 'ada')
        assert.deepEqual(one, {
          sessionId: ada.sessionId,
          provider: 'github',
          userId: '1815',
          username: 'Ada',
          createdAt: T0,
          expiresAt: one?.expiresAt,
          clientIds: ['client-a'],
          liveTokens: 2,
        })
        assert.equal((await admin.listSessions(NOW, '1815')).length, 1, 'by the immutable id')
        assert.equal((await admin.listSessions(NOW, 'ADA')).length, 1, 'username: ASCII case-insensitive')
        assert.equal((await admin.listSessions(NOW, 'ada\u212a')).length, 0)
        assert.equal((await admin.listSessions(NOW, 'nobody')).length, 0)
      },
    )

    withAdmin('revoking a user ends every session of theirs and no one else’s', async (store, admin) => {
      const first = await signedIn(store, 'client-a', { userId: '1815', username: 'ada' })
      const second = await signedIn(store, 'client-b', { userId: '1815', username: 'ada' })
      const grace = await signedIn(store, 'client-a', { userId: '1906', username: 'grace' })
      assert.deepEqual(await admin.revokeUser('ada'), { sessions: 2, tokens: 4 })
      for (const hash of [first.access, first.refresh, second.access, second.refresh])
        assert.ok(await isRevoked(store, hash))
      assert.equal(await store.getSession(first.sessionId), undefined)
      assert.equal(await store.getSession(second.sessionId), undefined)
      assert.equal(await isRevoked(store, grace.access), false)
      assert.ok(await store.getSession(grace.sessionId))
      assert.deepEqual(await admin.revokeUser('ada'), { sessions: 0, tokens: 0 })
    })

    withAdmin(
      'revoking a client ends its sessions, including one whose code is not redeemed yet',
      async (store, admin) => {
        const ada = await signedIn(store, 'client-a', { userId: '1', username: 'ada' })
        const grace = await signedIn(store, 'client-b', { userId: '2', username: 'grace' })
        const pending = sessionRecord()
        await store.saveSession(pending)
        await store.saveCode(codeRecord({ clientId: 'client-a', sessionId: pending.sessionId }))
        assert.deepEqual(await admin.revokeClient('client-a'), { sessions: 2, tokens: 2 })
        assert.ok(await isRevoked(store, ada.access))
        assert.equal(await store.getSession(pending.sessionId), undefined)
        assert.equal(await isRevoked(store, grace.access), false)
      },
    )

    withAdmin(
      'revoking a session revokes its tokens at once; an unknown one changes nothing',
      async (store, admin) => {
        const ada = await signedIn(store, 'client-a', { userId: '1', username: 'ada' })
        const other = await signedIn(store, 'client-a', { userId: '1', username: 'ada' })
        assert.deepEqual(await admin.revokeSession('no-such-session'), { sessions: 0, tokens: 0 })
        assert.deepEqual(await admin.revokeSession(ada.sessionId), { sessions: 1, tokens: 2 })
        assert.ok(await isRevoked(store, ada.access))
        assert.equal(await isRevoked(store, other.access), false)
        assert.deepEqual(
          (await admin.listSessions(NOW)).map((session) => session.sessionId),
          [other.sessionId],
        )
      },
    )
  })
}
