import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { FakeClock } from '@mxcp/auth-core/testing'
import { type FakeIdp, startFakeIdp } from '@mxcp/testing/fake-idp/fake-idp'
import Database from 'better-sqlite3'
import { AuthServer, CONFIGURED_CLIENT_ID } from './helpers/auth-server.js'
import { tempDatabasePath } from './helpers/temp-database.js'

let idp: FakeIdp
const clock = new FakeClock()

before(async () => {
  idp = await startFakeIdp({ now: () => clock.now() })
})
after(async () => {
  await idp.close()
})

test('after a restart on the same file: the access token works, the refresh token rotates, the client exists, a pending login finishes', async () => {
  const path = tempDatabasePath()

  // Before: a whole flow, and a second login left at the identity provider's door.
  const first = await AuthServer.start({ path, idp, clock })
  const client = await first.register()
  const flow = first.authorization(client.clientId)
  const issued = await first.redeem(client, await first.login(first.browser(), flow.url), flow.verifier)
  assert.equal(issued.statusCode, 200, issued.body)
  const { access_token: accessToken, refresh_token: refreshToken } = issued.json() as Record<string, string>
  assert.ok(accessToken && refreshToken)
  assert.equal((await first.call(accessToken)).statusCode, 200)
  const pendingBrowser = first.browser()
  const pending = first.authorization(client.clientId)
  const atIdp = await first.startLogin(pendingBrowser, pending)
  assert.ok(atIdp.url.href.startsWith(idp.authorizeUrl), 'the browser is on its way to the identity provider')
  await first.close()

  // After: a new server and a new store on the same file.
  const second = await AuthServer.start({ path, idp, clock })
  try {
    const call = await second.call(accessToken)
    assert.equal(call.statusCode, 200, call.body)
    assert.equal(call.json().username, idp.user.login)

    const rotated = await second.refresh(client, refreshToken)
    assert.equal(rotated.statusCode, 200, rotated.body)
    const renewed = rotated.json() as Record<string, string>
    assert.ok(renewed.refresh_token && renewed.refresh_token !== refreshToken, 'a new refresh token')
    assert.equal((await second.call(renewed.access_token ?? '')).statusCode, 200)

    const consent = await second.inject(second.authorization(client.clientId).url)
    assert.equal(consent.statusCode, 200, 'the registered client is still known: its consent page is shown')
    const stranger = await second.inject(second.authorization('never-registered').url)
    assert.equal(stranger.statusCode, 400, 'whereas an unknown client gets an error page')

    const resumed = second.browser(pendingBrowser.jar)
    const code = await second.login(resumed, atIdp.url.href)
    const finished = await second.redeem(client, code, pending.verifier)
    assert.equal(finished.statusCode, 200, finished.body)
    assert.equal((await second.call(String(finished.json().access_token))).statusCode, 200)

    clock.advance(30_000) // past the refresh grace window
    const reused = await second.refresh(client, refreshToken)
    assert.equal(reused.statusCode, 400, 'the rotated refresh token stays used across the restart')
    assert.equal(reused.json().error, 'invalid_grant')
  } finally {
    await second.close()
  }

  const raw = new Database(path, { readonly: true })
  const clients = raw.prepare('SELECT client_id AS id FROM clients').all() as { id: string }[]
  raw.close()
  assert.deepEqual(
    clients.map((row) => row.id),
    [client.clientId],
    `only the registered client is stored, never ${CONFIGURED_CLIENT_ID} from the configuration`,
  )
})
