import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import type { AuthEvent } from '../src/index.js'
import { Harness, RESOURCE } from './helpers/harness.js'

/** The `events` option: what an audit trail receives, and that a failing sink changes nothing. */
describe('auth events', () => {
  const events: AuthEvent[] = []
  let throwing = false
  let h: Harness

  before(async () => {
    h = await Harness.start({
      events: (event) => {
        events.push(event)
        if (throwing) throw new Error('the audit disk is full')
      },
    })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    events.length = 0
    throwing = false
  })

  const kinds = () => events.map((event) => `${event.type}${'status' in event ? `:${event.status}` : ''}`)

  test('a sign-in, a refresh and a replay each send one event, with no token in any of them', async () => {
    const issued = await h.issue()
    const clientId = issued.client.clientId
    const refreshed = await h.token({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
      client_id: clientId,
      resource: RESOURCE,
    })
    assert.equal(refreshed.statusCode, 200)
    // Past the refresh grace window, a second use of the rotated token is reuse, not a lost response.
    h.clock.advance(30_001) // the default refresh_grace_period is 30 s
    const replay = await h.token({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
      client_id: clientId,
      resource: RESOURCE,
    })
    assert.equal(replay.statusCode, 400)
    assert.deepEqual(kinds(), [
      'client_registered',
      'sign_in:success',
      'token_issued',
      'token_refreshed',
      'replay_detected',
    ])
    const signIn = events[1]
    assert.equal(signIn?.type === 'sign_in' && signIn.username, 'alice')
    const replayed = events[4]
    assert.ok(
      replayed?.type === 'replay_detected' &&
        replayed.what === 'refresh_token' &&
        replayed.revokedTokens >= 1,
    )
    assert.ok(events.every((event) => typeof event.requestId === 'string' && event.requestId !== ''))
    const text = JSON.stringify(events)
    for (const secret of [
      issued.accessToken,
      issued.refreshToken ?? '',
      String(refreshed.json().access_token),
    ])
      assert.equal(text.includes(secret), false)
  })

  test('denying consent is a refused sign-in at the consent step', async () => {
    const client = await h.register()
    events.length = 0
    const login = await h.login(client.clientId, { decision: 'deny' })
    assert.equal(login.params.get('error'), 'access_denied')
    assert.deepEqual(kinds(), ['sign_in:refused'])
    const [event] = events
    assert.ok(event?.type === 'sign_in' && event.step === 'consent' && event.clientId === client.clientId)
  })

  test('a sink that throws changes nothing for the request', async () => {
    throwing = true
    const issued = await h.issue()
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
    assert.ok(events.length >= 3)
  })
})
