import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { BrowserError, parseMetaRefresh } from '@mxcp/testing'
import { sha256Base64Url } from '../src/crypto.js'
import { AUTHORIZATION_CODE_PREFIX, TRANSACTION_TTL_MS } from '../src/defaults.js'
import { MemoryStore, UpstreamResponseError } from '../src/index.js'
import { BASE, CLIENT_REDIRECT, Harness, pathOf, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore, writes } from './helpers/spy-store.js'
import { startUpstreamLogin, upstreamRedirect } from './helpers/upstream-login.js'

describe('the provider callback', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({ store, idp: { slowMs: 5000 }, provider: { timeoutMs: 1500 } })
    client = await h.register()
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    h.idp.heal()
    h.idp.resetRecords()
    store.reset()
  })

  const callback = (url: string, cookies?: string) =>
    h.app.inject({ method: 'GET', url: pathOf(url), headers: cookies ? { cookie: cookies } : {} })

  function assertInvalidState(response: Awaited<ReturnType<typeof callback>>): void {
    assert.equal(response.statusCode, 400)
    assert.equal(response.headers.location, undefined)
    assert.match(response.body, /Invalid state parameter/)
    assert.equal(h.idp.calls('token'), 0, 'nothing was called upstream')
    assert.equal(h.idp.calls('userinfo'), 0)
    assert.equal(store.count('saveCode'), 0)
    assert.equal(store.count('saveSession'), 0)
  }

  function assertClientError(
    response: Awaited<ReturnType<typeof callback>>,
    error: string,
    clientState: string,
  ): void {
    assert.equal(response.statusCode, 302)
    const location = new URL(String(response.headers.location))
    assert.equal(`${location.origin}${location.pathname}`, CLIENT_REDIRECT)
    assert.equal(location.searchParams.get('error'), error)
    assert.equal(location.searchParams.get('state'), clientState)
    assert.equal(location.searchParams.get('iss'), BASE)
    assert.equal(location.searchParams.get('code'), null)
    assert.equal(store.count('saveCode'), 0)
    assert.equal(store.count('saveSession'), 0)
  }

  test('a successful callback mints our code and redirects with code, state and iss', async () => {
    const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
    const response = await callback((await upstreamRedirect(upstream)).href, cookies)
    assert.equal(response.statusCode, 302)
    const location = new URL(String(response.headers.location))
    assert.equal(`${location.origin}${location.pathname}`, CLIENT_REDIRECT)
    assert.ok(location.searchParams.get('code')?.startsWith(AUTHORIZATION_CODE_PREFIX))
    assert.equal(location.searchParams.get('state'), clientState)
    assert.equal(location.searchParams.get('iss'), BASE)
    assert.equal(h.idp.tokenRequests('authorization_code').length, 1)
    assert.equal(h.idp.calls('userinfo'), 1)
    assert.deepEqual(writes(store).slice(-2), ['saveSession', 'saveCode'])
  })

  test('our PKCE S256 verifier is sent upstream and matches the challenge the provider saw', async () => {
    const { upstream, cookies } = await startUpstreamLogin(h, client.clientId)
    assert.equal((await callback((await upstreamRedirect(upstream)).href, cookies)).statusCode, 302)
    const authorize = h.idp.requests.find((request) => request.endpoint === 'authorize')
    const [exchange] = h.idp.tokenRequests('authorization_code')
    const verifier = exchange?.params['code_verifier'] ?? ''
    assert.match(verifier, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(authorize?.params['code_challenge'], sha256Base64Url(verifier))
    assert.equal(exchange?.params['redirect_uri'], `${BASE}/github/callback`)
  })

  test('a missing state fails with "Invalid state parameter" and calls nothing upstream', async () => {
    assertInvalidState(await callback(`${BASE}/github/callback?code=abc`))
  })

  test('an unknown state fails with "Invalid state parameter" and calls nothing upstream', async () => {
    const { cookies } = await startUpstreamLogin(h, client.clientId)
    assertInvalidState(await callback(`${BASE}/github/callback?code=abc&state=forged`, cookies))
  })

  test('a state is single use: replaying the callback fails and calls nothing upstream again', async () => {
    const { upstream, cookies } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    assert.equal((await callback(target.href, cookies)).statusCode, 302)
    h.idp.resetRecords()
    store.reset()
    assertInvalidState(await callback(target.href, cookies))
  })

  test('an upstream transaction expires after 10 minutes', async () => {
    const { upstream, cookies } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    h.idp.resetRecords()
    h.clock.advance(TRANSACTION_TTL_MS)
    assertInvalidState(await callback(target.href, cookies))
  })

  test('a callback in another browser (no login cookie) fails and burns the transaction', async () => {
    const { upstream, cookies } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    h.idp.resetRecords()
    const consentOnly = cookies.split('; ')[0]
    assertInvalidState(await callback(target.href, consentOnly))
    assertInvalidState(await callback(target.href, cookies))
  })

  test('the provider refusing the login reaches the client as access_denied', async () => {
    h.idp.fail('authorize', 'deny')
    const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    assert.equal(target.searchParams.get('error'), 'access_denied')
    assertClientError(await callback(target.href, cookies), 'access_denied', clientState)
    assert.equal(h.idp.calls('token'), 0)
  })

  for (const [mode, error] of [
    ['deny', 'access_denied'],
    ['server-error', 'temporarily_unavailable'],
    ['garbage', 'server_error'],
    ['slow', 'temporarily_unavailable'],
  ] as const) {
    test(`a token endpoint answering "${mode}" reaches the client as ${error}, never a 500`, async () => {
      const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
      const target = await upstreamRedirect(upstream)
      h.idp.fail('token', mode)
      assertClientError(await callback(target.href, cookies), error, clientState)
    })
  }

  test('a userinfo endpoint that is down reaches the client as temporarily_unavailable', async () => {
    const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    h.idp.fail('userinfo', 'server-error')
    assertClientError(await callback(target.href, cookies), 'temporarily_unavailable', clientState)
  })

  test('a callback with neither code nor error is server_error', async () => {
    const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    target.searchParams.delete('code')
    assertClientError(await callback(target.href, cookies), 'server_error', clientState)
    assert.equal(h.idp.calls('token'), 0)
  })

  test('our authorization code lives 60 seconds', async () => {
    const login = await h.login(client.clientId)
    h.clock.advance(60_000)
    const response = await h.redeem(client, login)
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_grant')
  })

  test('the callback URL (with the provider code) is not logged at info level', async () => {
    const { upstream, cookies } = await startUpstreamLogin(h, client.clientId)
    const target = await upstreamRedirect(upstream)
    const upstreamCode = String(target.searchParams.get('code'))
    await callback(target.href, cookies)
    assert.equal(h.logs.filter((line) => line.includes(upstreamCode)).length, 0)
    assert.ok(h.logLines().some((line) => line['msg'] === 'user signed in' && line['username'] === 'alice'))
  })

  test('the whole flow through the headless browser ends at the client with a code', async () => {
    const login = await h.login(client.clientId)
    assert.ok(login.code.startsWith(AUTHORIZATION_CODE_PREFIX))
    assert.deepEqual(
      login.browse.trace.map((step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`),
      ['GET /authorize 200', 'POST /consent 200', 'GET /authorize 302', 'GET /github/callback 302'],
    )
  })

  test('a denied consent in the browser ends at the client with access_denied', async () => {
    const login = await h.login(client.clientId, { decision: 'deny' })
    assert.equal(login.params.get('error'), 'access_denied')
    assert.equal(h.idp.calls(), 0)
  })

  test('an error page stops the browser (invalid state is never redirected)', async () => {
    await assert.rejects(
      h.browser().run(`${BASE}/github/callback?state=nope&code=x`, { stopAt: CLIENT_REDIRECT }),
      (error: unknown) => {
        assert.ok(error instanceof BrowserError)
        assert.equal(error.status, 400)
        return true
      },
    )
  })
})

describe('allowlists at the callback', () => {
  const cases = [
    {
      name: 'allowed_users',
      authorization: { allowed_users: ['bob'] },
      reason: /not on this server's list of allowed users/,
    },
    {
      name: 'allowed_email_domains',
      authorization: { allowed_email_domains: ['corp.test'] },
      reason: /limited to email addresses at corp\.test; yours is at example\.com/,
    },
    {
      name: 'allowed_organizations',
      authorization: { allowed_organizations: ['other-org'] },
      reason: /limited to members of other-org/,
    },
  ]
  for (const { name, authorization, reason } of cases) {
    test(`a user outside ${name} is sent back to the client with access_denied, after a page that says why; nothing is minted`, async () => {
      const store = spyStore(new MemoryStore())
      const h = await Harness.start({ store, auth: { authorization } })
      try {
        const client = await h.register()
        store.reset()
        const login = await h.login(client.clientId)
        assert.equal(login.params.get('error'), 'access_denied')
        assert.match(login.params.get('error_description') ?? '', reason)
        assert.equal(login.params.get('state'), login.state)
        assert.equal(login.params.get('code'), null)
        const callback = login.browse.trace.at(-1)
        assert.equal(callback?.status, 200, 'the refusal page, then the way back to the client')
        assert.equal(store.count('saveSession'), 0)
        assert.equal(store.count('saveCode'), 0)
      } finally {
        await h.close()
      }
    })
  }

  test('a user on every list signs in (comparisons ignore case)', async () => {
    const h = await Harness.start({
      auth: {
        authorization: {
          allowed_users: ['ALICE'],
          allowed_email_domains: ['@Example.com'],
          allowed_organizations: ['ACME'],
        },
      },
    })
    try {
      const issued = await h.issue()
      assert.equal((await h.call(issued.accessToken)).statusCode, 200)
    } finally {
      await h.close()
    }
  })
})

describe('a provider answer we cannot use at sign-in', () => {
  test('a user-info 403 for a missing scope reaches the client as server_error and the log names the configuration error', async () => {
    const h = await Harness.start({
      wrapProvider: (provider) => ({
        ...provider,
        userInfo: async () => {
          throw new UpstreamResponseError(
            'github',
            "github /userinfo answered 403 for a missing scope: add it to the provider's configured scope",
            403,
          )
        },
      }),
    })
    try {
      const login = await h.login((await h.register()).clientId)
      assert.equal(login.params.get('error'), 'server_error')
      assert.equal(login.params.get('code'), null)
      const line = h.logs.find((entry) => entry.includes('unusable provider answer'))
      assert.ok(line, 'logged whatever the route log level')
      assert.match(line, /"level":50/)
      assert.match(line, /missing scope/)
    } finally {
      await h.close()
    }
  })
})

describe('the sign-in deadline', () => {
  test('a provider slower than sign_in_timeout overall: the user is told it is not answering and the client gets temporarily_unavailable', async () => {
    const store = spyStore(new MemoryStore())
    // Each call stays within its own timeout; together they pass the 1 s deadline.
    const h = await Harness.start({
      store,
      auth: { sign_in_timeout: 1 },
      idp: { slowMs: 700 },
      provider: { timeoutMs: 5_000 },
    })
    try {
      const client = await h.register()
      const { upstream, cookies, clientState } = await startUpstreamLogin(h, client.clientId)
      const target = await upstreamRedirect(upstream)
      h.idp.fail('token', 'slow')
      h.idp.fail('userinfo', 'slow')
      const started = Date.now()
      const response = await h.app.inject({
        method: 'GET',
        url: pathOf(target),
        headers: { cookie: cookies },
      })
      const elapsed = Date.now() - started
      assert.ok(elapsed >= 1_000 && elapsed < 1_400, `answered at the deadline (${elapsed} ms)`)
      assert.match(response.body, /is not answering/)
      const back = parseMetaRefresh(response.body, new URL(BASE))
      assert.ok(back)
      assert.equal(`${back.origin}${back.pathname}`, CLIENT_REDIRECT)
      assert.equal(back.searchParams.get('error'), 'temporarily_unavailable')
      assert.equal(back.searchParams.get('state'), clientState)
      assert.equal(back.searchParams.get('code'), null)
      assert.equal(store.count('saveSession'), 0, 'no session was created')
      assert.equal(store.count('saveCode'), 0, 'no code was minted')
    } finally {
      await h.close()
    }
  })
})
