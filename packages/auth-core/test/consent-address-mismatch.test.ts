import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { parseForms } from '@mxcp/testing'
import { MemoryStore } from '../src/index.js'
import { Harness, pathOf, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore, writes } from './helpers/spy-store.js'

/**
 * A consent form refused because the browser and the server disagree on the server's address
 * (a proxy that terminates TLS without saying so, a base_url with another host) says so, and
 * names the settings to check, instead of a bare "Consent expired".
 */
describe('consent refused for an address mismatch', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient

  before(async () => {
    store = spyStore(new MemoryStore())
    // The server believes it is at https://mcp.test (base_url), as behind a TLS-terminating proxy.
    h = await Harness.start({ store })
    client = await h.register({ client_name: 'Client A' })
  })
  after(async () => {
    await h.close()
  })

  async function consentFields(): Promise<Record<string, string>> {
    const { url } = h.authorizeUrl(client.clientId)
    const response = await h.app.inject({ method: 'GET', url: pathOf(url) })
    const [form] = parseForms(response.body, new URL(url))
    assert.ok(form)
    return Object.fromEntries(form.fields)
  }

  async function post(headers: Record<string, string>) {
    const fields = await consentFields()
    store.reset()
    return h.app.inject({
      method: 'POST',
      url: '/consent',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams({ ...fields, decision: 'approve' }).toString(),
    })
  }

  test('a page opened over http while the server believes https names the scheme and transport.http.scheme, base_url, trust_proxy', async () => {
    // Over http the browser drops the Secure __Host- cookie: the form arrives without it.
    const response = await post({ origin: 'http://mcp.test' })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /opened over http, but the server believes its address starts with https/)
    assert.match(
      response.body,
      /transport\.http\.base_url, transport\.http\.scheme and transport\.http\.trust_proxy/,
    )
    assert.deepEqual(writes(store), [], 'nothing stored, nothing sent upstream')
    assert.equal(h.idp.calls(), 0)
    assert.match(h.logs.join(''), /"problem":"address_mismatch"/)
  })

  test('a page opened at another host names both hosts', async () => {
    const response = await post({ origin: 'https://other.example' })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /opened at other\.example, but the server believes its address is mcp\.test/)
    assert.deepEqual(writes(store), [])
  })

  test('a consent cookie under the other scheme’s name points at the scheme too', async () => {
    const response = await post({ cookie: `mxcp_consent=${'a'.repeat(43)}` })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /The consent cookie was set for http, but this request is seen as https/)
  })

  test('without any sign of a mismatch the page stays "Consent expired"', async () => {
    const response = await post({ origin: 'https://mcp.test' })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /Consent expired/)
  })
})
