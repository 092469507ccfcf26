import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CLIENT_LEASE_KIND } from '../src/clients/client-lease.js'
import { MemoryStore } from '../src/index.js'
import { Harness, pkcePair, RESOURCE, type TestClient } from './helpers/harness.js'

const SECOND = 1_000
const MINUTE = 60 * SECOND

describe('POST /token renews the lease of a self-registered client only for a usable grant', () => {
  const store = new MemoryStore()
  let h: Harness
  let client: TestClient
  const lease = () => store.singleUse.claimExpiry(CLIENT_LEASE_KIND, client.clientId)

  before(async () => {
    h = await Harness.start({ store })
    client = await h.register()
  })
  after(async () => {
    await h.close()
  })

  test('an unknown code or a code failing its checks renews nothing; a good exchange renews', async () => {
    const registered = await lease()
    assert.ok(registered !== undefined)
    const login = await h.login(client.clientId)
    h.clock.advance(SECOND)
    const unknown = await h.redeem(client, { ...login, code: 'not-a-code' })
    assert.equal(unknown.statusCode, 400)
    assert.equal(await lease(), registered, 'an unknown code: lease unchanged')

    const bad = await h.redeem(client, login, { code_verifier: pkcePair().verifier })
    assert.equal(bad.statusCode, 400)
    assert.equal(await lease(), registered, 'a wrong verifier uses the code up but renews nothing')

    const fresh = await h.login(client.clientId)
    h.clock.advance(SECOND)
    assert.equal((await h.redeem(client, fresh)).statusCode, 200)
    const renewed = await lease()
    assert.ok(renewed !== undefined && renewed > registered, 'a good exchange renews the lease')

    // Past the grace period of a lost response (30 s): a replay.
    h.clock.advance(31 * SECOND)
    const replay = await h.redeem(client, fresh)
    assert.equal(replay.statusCode, 400)
    assert.equal(replay.json().error, 'invalid_grant')
    assert.equal(await lease(), renewed, 'a replayed code: lease unchanged')
  })

  test('a refresh renews the lease; a reused or unknown refresh token renews nothing', async () => {
    const issued = await h.issue(client)
    const refresh = (token: string) =>
      h.token({
        grant_type: 'refresh_token',
        refresh_token: token,
        resource: RESOURCE,
        client_id: client.clientId,
      })
    const before = await lease()
    h.clock.advance(MINUTE)
    assert.equal((await refresh('mxcp_rt_unknown')).statusCode, 400)
    assert.equal(await lease(), before, 'an unknown refresh token: lease unchanged')

    assert.equal((await refresh(issued.refreshToken ?? '')).statusCode, 200)
    const renewed = await lease()
    assert.ok(renewed !== undefined && before !== undefined && renewed > before, 'a rotation renews')

    // Past the grace period: a reuse revokes the family and renews nothing.
    h.clock.advance(10 * MINUTE)
    assert.equal((await refresh(issued.refreshToken ?? '')).statusCode, 400)
    assert.equal(await lease(), renewed, 'a reused refresh token: lease unchanged')
  })
})
