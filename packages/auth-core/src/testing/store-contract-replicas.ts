import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { FakeClock } from '../clock.js'
import { validateAuthConfig } from '../config/load-auth.js'
import { SessionUsers } from '../guard/session-users.js'
import type { UpstreamProvider, UpstreamTokens } from '../provider.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { TokenRecord } from '../store/records.js'
import { codeRecord, sessionRecord, T0, tokenRecord } from './record-fixtures.js'

/** Two stores on one storage, as two replicas (processes) of a server open it; may be one store twice. */
export type OpenReplicas = () => Promise<readonly [OAuthStore, OAuthStore]>

type WithReplicas = (title: string, body: (a: OAuthStore, b: OAuthStore) => Promise<void>) => void

const CALLERS = 8
/** Long enough for a waiting caller to have polled several times (the SQLite lease: every 25–50 ms). */
const SEVERAL_POLLS_MS = 200

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger

/** A provider whose refresh rotates both upstream tokens and takes a while, so callers overlap. */
export function rotatingProvider(clock: FakeClock): UpstreamProvider & { refreshes: number } {
  const provider = {
    id: 'github',
    label: 'GitHub',
    callbackPath: '/github/callback',
    refreshes: 0,
    authorizationUrl: async () => new URL('https://idp.invalid/authorize'),
    exchangeCode: async (): Promise<UpstreamTokens> => ({ accessToken: 'unused' }),
    userInfo: async () => ({ userId: '42', username: 'octocat', rawProfile: {} }),
    async refresh(tokens: UpstreamTokens): Promise<UpstreamTokens> {
      provider.refreshes++
      await delay(20)
      return {
        accessToken: `${tokens.accessToken}+1`,
        refreshToken: `${tokens.refreshToken}+1`,
        expiresAt: clock.now() + 3_600_000,
      }
    },
  }
  return provider
}

/** A promise resolved from outside. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

function lockOf(store: OAuthStore): NonNullable<OAuthStore['withSessionLock']> | undefined {
  return store.withSessionLock?.bind(store)
}

/**
 * The contract across replicas (issue 17): what one replica does, the other sees at once. The
 * session lock serialises an upstream refresh of one session across every replica (the guard's
 * `SessionUsers` refreshes once, and every caller gets the new tokens), and tokens saved on one
 * replica into a family revoked on another are born revoked. A store without `withSessionLock`
 * skips the lock tests.
 */
export function replicaContract(withReplicas: WithReplicas): void {
  withReplicas(
    'an expired upstream token is refreshed once across replicas: the session lock serialises the refresh',
    async (a, b) => {
      if (!a.withSessionLock) return
      const clock = new FakeClock(T0)
      const provider = rotatingProvider(clock)
      const session = sessionRecord({
        upstream: { accessToken: 'at', refreshToken: 'rt', expiresAt: T0 - 1 },
      })
      await a.saveSession(session)
      // One guard per caller, as on replicas: none shares another's in-flight refresh.
      const guards = Array.from(
        { length: CALLERS },
        (_, i) =>
          new SessionUsers({
            store: i % 2 ? a : b,
            provider,
            clock,
            ttlMs: 300_000,
            authorization: validateAuthConfig({}).authorization,
            log: silent,
          }),
      )
      const users = await Promise.all(guards.map((guard) => guard.get(session.sessionId)))
      assert.equal(provider.refreshes, 1, 'one upstream refresh for every caller')
      for (const user of users) assert.equal(user.upstream.accessToken, 'at+1')
      for (const store of [a, b])
        assert.equal((await store.getSession(session.sessionId))?.upstream.refreshToken, 'rt+1')
    },
  )

  withReplicas(
    'holders of one session lock on two replicas take turns; another session does not wait',
    async (a, b) => {
      const [lockA, lockB] = [lockOf(a), lockOf(b)]
      if (!lockA || !lockB) return
      const held = gate()
      const entered = gate()
      const events: string[] = []
      const first = lockA('session-shared', async () => {
        events.push('a in')
        entered.open()
        await held.opened
        events.push('a out')
        return 'a'
      })
      await entered.opened
      const second = lockB('session-shared', async () => {
        events.push('b in')
        return 'b'
      })
      assert.equal(await lockB('session-other', async () => 'ran'), 'ran', 'another session goes ahead')
      await delay(SEVERAL_POLLS_MS)
      assert.deepEqual(events, ['a in'], 'b waits while a holds the lock')
      held.open()
      assert.deepEqual(await Promise.all([first, second]), ['a', 'b'])
      assert.deepEqual(events, ['a in', 'a out', 'b in'])
    },
  )

  withReplicas(
    'what the locked function throws reaches the caller, and the other replica takes the lock after',
    async (a, b) => {
      const [lockA, lockB] = [lockOf(a), lockOf(b)]
      if (!lockA || !lockB) return
      const failure = new Error('upstream refresh failed')
      await assert.rejects(
        lockA('session-failing', () => Promise.reject(failure)),
        (error) => error === failure,
      )
      const taken = await Promise.race([
        lockB('session-failing', async () => 'taken'),
        delay(5_000).then(() => 'still locked'),
      ])
      assert.equal(taken, 'taken')
    },
  )

  withReplicas(
    'tokens saved on one replica into a family revoked on the other are born revoked',
    async (a, b) => {
      const pair = (familyId: string): TokenRecord[] => [
        tokenRecord({ familyId }),
        tokenRecord({ familyId, kind: 'refresh', expiresAt: T0 + 86_400_000 }),
      ]
      const revoked = `family-${Math.random().toString(36).slice(2)}`
      await a.revokeFamily(revoked)
      const late = pair(revoked)
      await b.saveTokens(late)
      for (const token of late) assert.equal((await a.getToken(token.tokenHash))?.revoked, true)
      const code = codeRecord({ familyId: revoked })
      await b.saveCode(code)
      const minted = pair(revoked)
      const result = await b.exchangeCode(code.codeHash, T0, 0, () => minted)
      assert.equal(result.outcome, 'consumed')
      assert.ok(result.outcome === 'consumed' && result.tokens.every((token) => token.revoked))
      for (const token of minted) assert.equal((await a.getToken(token.tokenHash))?.revoked, true)
      const alive = pair(`${revoked}-other`)
      await b.saveTokens(alive)
      for (const token of alive) assert.equal((await a.getToken(token.tokenHash))?.revoked, false)
    },
  )
}
