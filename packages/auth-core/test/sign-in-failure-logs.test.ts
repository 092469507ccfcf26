import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { MemoryStore } from '../src/index.js'
import { CLIENT_REDIRECT, Harness, pathOf, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore } from './helpers/spy-store.js'
import { startUpstreamLogin, upstreamRedirect } from './helpers/upstream-login.js'

/** Comes back from the provider with an error (`params`) in place of a code, as a refusing provider sends the browser. */
async function refusedByProvider(h: Harness, clientId: string, params: Record<string, string>) {
  const { upstream, cookies } = await startUpstreamLogin(h, clientId)
  const callback = await upstreamRedirect(upstream)
  callback.searchParams.delete('code')
  for (const [name, value] of Object.entries(params)) callback.searchParams.set(name, value)
  return h.app.inject({ method: 'GET', url: pathOf(callback), headers: { cookie: cookies } })
}

/** The JSON log lines the harness captured, at warn. */
function warnLines(h: Harness): Record<string, unknown>[] {
  return h.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['level'] === 40)
}

describe('every refused or failed sign-in is one warn line with its step; the user learns the kind and the request id', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({ store })
    client = await h.register({ client_name: 'Client A' })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    h.logs.length = 0
    store.reset()
  })

  test('the provider refusing our callback URL: a page naming the callback URL and the request id, nothing issued', async () => {
    const response = await refusedByProvider(h, client.clientId, {
      error: 'redirect_uri_mismatch',
      error_description: 'The redirect_uri MUST match the registered callback URL',
    })
    assert.equal(response.statusCode, 502)
    assert.match(
      response.body,
      /did not accept this server&#39;s callback URL|did not accept this server's callback URL/,
    )
    const requestId = /request id <code>([^<]+)<\/code>/.exec(response.body)?.[1]
    assert.ok(requestId)
    assert.match(
      response.body,
      new RegExp(`href="${CLIENT_REDIRECT.replace(/[.?]/g, '\\$&')}\\?error=access_denied`),
    )
    assert.equal(store.count('saveCode'), 0)
    assert.equal(store.count('saveSession'), 0)
    const [line] = warnLines(h).filter((entry) => entry['reqId'] === requestId)
    assert.equal(line?.['msg'], 'sign-in failed at callback: callback url')
    assert.equal(line?.['step'], 'callback')
    assert.equal(line?.['problem'], 'callback_url')
    assert.equal(line?.['providerError'], 'redirect_uri_mismatch')
    assert.equal(line?.['providerDescription'], 'The redirect_uri MUST match the registered callback URL')
    assert.equal(line?.['clientId'], client.clientId)
    assert.equal(line?.['provider'], 'github')
  })

  test('the user declining at the provider goes back to the application, with the request id in the description', async () => {
    const response = await refusedByProvider(h, client.clientId, { error: 'access_denied' })
    assert.equal(response.statusCode, 302)
    const location = new URL(String(response.headers.location))
    assert.equal(location.searchParams.get('error'), 'access_denied')
    const requestId = /request id ([\w-]+)/.exec(location.searchParams.get('error_description') ?? '')?.[1]
    assert.ok(requestId)
    const [line] = warnLines(h).filter((entry) => entry['reqId'] === requestId)
    assert.equal(line?.['problem'], 'denied')
    assert.equal(line?.['step'], 'callback')
  })

  test('a scope the client may not ask for is refused at warn as the scope grant step, naming the client and provider', async () => {
    const { url } = h.authorizeUrl(client.clientId, { scope: 'mxcp:admin' })
    const response = await h.app.inject({ method: 'GET', url: pathOf(url) })
    // A self-registered client nobody vouched for gets a page, not a redirect.
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /invalid_scope/)
    const line = warnLines(h).find((entry) => entry['step'] === 'scope grant')
    assert.equal(line?.['step'], 'scope grant')
    assert.equal(line?.['clientId'], client.clientId)
    assert.equal(line?.['provider'], 'github')
  })
})
