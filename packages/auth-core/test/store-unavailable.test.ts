import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { MemoryStore, type OAuthStore, StoreUnavailableError } from '../src/index.js'
import { BASE, Harness, pathOf } from './helpers/harness.js'

/** A memory store that can be switched into "database unreachable". */
function flakyStore(): { store: OAuthStore; down: (value: boolean) => void } {
  const inner = new MemoryStore()
  let isDown = false
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'close' || property === 'sweepExpired') return value
      return (...args: unknown[]) => {
        if (isDown) return Promise.reject(new StoreUnavailableError('database is locked'))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store, down: (value) => (isDown = value) }
}

describe('a store that is unavailable', () => {
  let h: Harness
  let down: (value: boolean) => void

  before(async () => {
    const flaky = flakyStore()
    down = flaky.down
    h = await Harness.start({ store: flaky.store })
  })
  after(async () => {
    await h.close()
  })

  test('the token endpoint answers 503 with a clear JSON message, never cached, nothing issued', async () => {
    const client = await h.register()
    const login = await h.login(client.clientId)
    down(true)
    try {
      const response = await h.redeem(client, login)
      assert.equal(response.statusCode, 503)
      assert.equal(response.json().error, 'temporarily_unavailable')
      assert.match(response.json().error_description, /storage/)
      assert.equal(response.headers['cache-control'], 'no-store')
    } finally {
      down(false)
    }
    assert.equal((await h.redeem(client, login)).statusCode, 200, 'the code was not used up')
  })

  test('registration answers 503', async () => {
    down(true)
    try {
      const response = await h.app.inject({
        method: 'POST',
        url: '/register',
        payload: { redirect_uris: ['http://127.0.0.1:1/cb'] },
      })
      assert.equal(response.statusCode, 503)
    } finally {
      down(false)
    }
  })

  test('the authorization endpoint shows a 503 page', async () => {
    const client = await h.register()
    down(true)
    try {
      const response = await h.app.inject({ method: 'GET', url: pathOf(h.authorizeUrl(client.clientId).url) })
      assert.equal(response.statusCode, 503)
      assert.match(String(response.headers['content-type']), /text\/html/)
      assert.match(response.body, /cannot reach its storage/)
    } finally {
      down(false)
    }
  })

  test('the provider callback shows a 503 page and mints nothing', async () => {
    const client = await h.register()
    const browser = h.browser()
    const { url } = h.authorizeUrl(client.clientId)
    const atCallback = await browser.run(url, { stopAt: `${BASE}/github/callback` })
    h.idp.resetRecords()
    down(true)
    try {
      const response = await h.app.inject({
        method: 'GET',
        url: pathOf(atCallback.url),
        headers: { cookie: browser.jar.headerFor(atCallback.url) ?? '' },
      })
      assert.equal(response.statusCode, 503)
      assert.match(String(response.headers['content-type']), /text\/html/)
      assert.equal(response.headers.location, undefined)
    } finally {
      down(false)
    }
    assert.equal(h.idp.tokenRequests('authorization_code').length, 0, 'nothing went upstream')
  })

  test('the guard answers 503, not 401 (the token may be fine)', async () => {
    const issued = await h.issue()
    down(true)
    try {
      const response = await h.call(issued.accessToken)
      assert.equal(response.statusCode, 503)
      assert.equal(response.json().error, 'temporarily_unavailable')
    } finally {
      down(false)
    }
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
  })
})
