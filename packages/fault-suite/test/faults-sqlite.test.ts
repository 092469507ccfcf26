import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { callTool } from '@mxcp/testing/browser/oauth-steps'
import { attempt, ClientSession, HANG_MS } from '@mxcp/testing/faults/client-session'
import { Rig } from '@mxcp/testing/faults/rig'
import type { GitHubEndpoint } from '@mxcp/testing/stand-ins/github'
import { KILL_CYCLES, killAfterCommit, killCycles } from './support/kill-cycle.js'

const SIGN_IN_TIMEOUT_S = 3
/** Past its cache_ttl a profile may be served this long while GitHub cannot answer. */
const STALE_S = 3
const PROFILE_ENDPOINTS: GitHubEndpoint[] = ['user', 'emails', 'orgs']

/** Calls a tool; resolves to the status, the Retry-After header and how long it took. */
async function timedCall(
  rig: Rig,
  session: ClientSession,
): Promise<{ status: number; retryAfter: string | null; ms: number }> {
  const started = Date.now()
  const response = await fetch(`${rig.router.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${session.accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'whoami', arguments: {} },
    }),
    signal: AbortSignal.timeout(HANG_MS),
  })
  await response.text()
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    ms: Date.now() - started,
  }
}

/** The sign-in of a new user, which must fail: resolves to the error the client received and the time. */
async function failedSignIn(rig: Rig): Promise<{ error: string; ms: number }> {
  const started = Date.now()
  const session = await ClientSession.signIn(rig).then(
    () => undefined,
    (error: unknown) => String(error),
  )
  return { error: session ?? 'signed in', ms: Date.now() - started }
}

describe('mxcp serve on SQLite: provider down or slow, SIGKILL, SIGTERM', () => {
  let rig: Rig
  let sessions: ClientSession[]

  before(async () => {
    rig = await Rig.start({
      persistence: { type: 'sqlite' },
      auth: { cache_ttl: 1, stale_cache_ttl: STALE_S, sign_in_timeout: SIGN_IN_TIMEOUT_S },
      slowMs: 2_500,
    })
    sessions = [await ClientSession.signIn(rig), await ClientSession.signIn(rig)]
  })
  after(() => rig.close())

  test('GitHub down: signed-in users are served from the last known profile, then 503 + Retry-After within 2 s; one probe at a time; nobody is signed out', async () => {
    for (const endpoint of [...PROFILE_ENDPOINTS, 'token' as const]) rig.github.fail(endpoint, 'server-error')
    await delay(1_100) // cache_ttl lapses
    const before = rig.github.requestsTo('user').length
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(sessions.map((session) => timedCall(rig, session)))
      for (const answer of answers) {
        assert.equal(answer.status, 200, 'served with the last known profile')
        assert.ok(answer.ms < 2_000, `answered in ${answer.ms} ms`)
      }
    }
    assert.ok(rig.github.requestsTo('user').length - before <= 3, 'a down provider is not hammered')

    const signIn = await failedSignIn(rig)
    assert.match(signIn.error, /temporarily_unavailable/, 'a new sign-in is told to come back later')
    assert.ok(signIn.ms < 5_000, `and quickly (${signIn.ms} ms)`)

    await delay(STALE_S * 1_000) // the stale window ends
    for (const session of sessions) {
      const answer = await timedCall(rig, session)
      assert.equal(answer.status, 503)
      assert.ok(Number(answer.retryAfter) > 0, 'Retry-After says when to come back')
      assert.ok(answer.ms < 2_000, `answered in ${answer.ms} ms`)
    }

    rig.github.heal()
    for (const session of sessions) {
      let status = 0
      // Probes are spaced out (at most 5 s apart) while the provider fails: recovery follows the next.
      for (let tries = 0; tries < 70 && status !== 200; tries++) {
        status = (await timedCall(rig, session)).status
        if (status !== 200) await delay(100)
      }
      assert.equal(status, 200, 'the session outlived the outage')
      const refreshed = await session.refresh()
      session.keep(refreshed)
      assert.equal((await callTool(rig.router.url, session.accessToken, 'whoami')).status, 200)
    }
  })

  test(`GitHub slow (2.5 s a call): a sign-in ends at sign_in_timeout with temporarily_unavailable; signed-in users are answered within 2 s`, async () => {
    for (const endpoint of [...PROFILE_ENDPOINTS, 'token' as const]) rig.github.fail(endpoint, 'slow')
    try {
      await delay(1_100) // cache_ttl lapses: each session is revalidated against the slow provider
      for (const session of sessions) {
        const answer = await timedCall(rig, session)
        assert.equal(answer.status, 200)
        assert.ok(answer.ms < 2_000, `answered in ${answer.ms} ms`)
      }
      const signIn = await failedSignIn(rig)
      assert.match(signIn.error, /temporarily_unavailable/)
      assert.ok(
        signIn.ms < (SIGN_IN_TIMEOUT_S + 2) * 1_000,
        `the sign-in ended at its deadline, not after three slow calls (${signIn.ms} ms)`,
      )
    } finally {
      rig.github.heal()
    }
  })

  test('killed after a refresh and a code exchange committed, before their answers left: the retries get working tokens', () =>
    killAfterCommit(rig))

  test(`${KILL_CYCLES} kill -9 cycles under a code exchange and a refresh: no session is lost`, async () => {
    assert.ok((await killCycles(rig, 'sqlite')) > 0, 'the kills landed under requests')
  })

  test('SIGTERM: in-flight requests finish, the process exits 0, nothing is lost', async () => {
    const session = await ClientSession.signIn(rig)
    const newcomer = await ClientSession.signIn(rig)
    const login = await newcomer.login()
    rig.github.fail('user', 'slow') // a revalidation in flight for 2.5 s when the signal comes
    await delay(1_100)
    const inFlight = Promise.all([
      attempt(() => session.refresh()),
      attempt(() => newcomer.redeem(login)),
      timedCall(rig, newcomer),
    ])
    await delay(50)
    const stopped = rig.server.stop()
    const [rotation, exchange, call] = await inFlight
    rig.github.heal()
    assert.equal(await stopped, 0, 'a clean exit')
    assert.ok('answer' in rotation && rotation.answer.status === 200, 'the refresh in flight finished')
    assert.ok('answer' in exchange && exchange.answer.status === 200, 'the code exchange in flight finished')
    assert.equal(call.status, 200, 'the tool call in flight finished')
    session.keep(rotation.answer)
    newcomer.keep(exchange.answer)
    await rig.restart()
    assert.equal(await session.call(), 200)
    assert.equal(await newcomer.call(), 200)
    session.keep(await session.refresh())
  })
})
