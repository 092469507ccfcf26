import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Harness, RESOURCE } from './helpers/harness.js'

describe('races on single-use credentials', () => {
  let h: Harness
  before(async () => {
    // Without the grace window, so a second refresh with the same token is reuse.
    h = await Harness.start({ auth: { refresh_grace_period: 0 } })
  })
  after(async () => {
    await h.close()
  })

  test('two concurrent redemptions of one code: exactly one 200, and the replay revokes what it issued', async () => {
    const client = await h.register()
    const login = await h.login(client.clientId)
    const responses = await Promise.all([h.redeem(client, login), h.redeem(client, login)])
    const statuses = responses.map((response) => response.statusCode).sort()
    assert.deepEqual(statuses, [200, 400])
    const loser = responses.find((response) => response.statusCode === 400)
    assert.equal(loser?.json().error, 'invalid_grant')
    const winner = responses.find((response) => response.statusCode === 200)?.json()
    assert.equal(
      (await h.call(winner.access_token)).statusCode,
      401,
      'a replay revokes the family, however the two interleave',
    )
  })

  test('two concurrent refreshes of one refresh token: exactly one 200', async () => {
    const issued = await h.issue()
    const params = {
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
      client_id: issued.client.clientId,
      resource: RESOURCE,
    }
    const responses = await Promise.all([h.token(params), h.token(params)])
    assert.deepEqual(responses.map((response) => response.statusCode).sort(), [200, 400])
    assert.equal(responses.find((response) => response.statusCode === 400)?.json().error, 'invalid_grant')
  })

  test('ten concurrent redemptions of one code: exactly one 200', async () => {
    const client = await h.register()
    const login = await h.login(client.clientId)
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.redeem(client, login)))
    assert.equal(responses.filter((response) => response.statusCode === 200).length, 1)
  })

  test('two concurrent callbacks with one state: exactly one mints a code', async () => {
    const client = await h.register()
    const browser = h.browser()
    // Walk to the provider and stop before our callback, then fire it twice at once.
    const { url } = h.authorizeUrl(client.clientId)
    const trace = await browser.run(url, { stopAt: `https://mcp.test/github/callback` })
    const callback = `${trace.url.pathname}${trace.url.search}`
    const cookie = browser.jar.headerFor(trace.url) ?? ''
    const responses = await Promise.all(
      [0, 1].map(() => h.app.inject({ method: 'GET', url: callback, headers: { cookie } })),
    )
    assert.deepEqual(responses.map((response) => response.statusCode).sort(), [302, 400])
    assert.equal(h.idp.tokenRequests('authorization_code').length >= 1, true)
  })
})
