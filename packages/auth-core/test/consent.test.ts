import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { parseForms, parseMetaRefresh } from '@mxcp/testing'
import type { LightMyRequestResponse } from 'fastify'
import { CONSENT_TTL_MS } from '../src/defaults.js'
import { MemoryStore, UpstreamUnavailableError } from '../src/index.js'
import { BASE, CLIENT_REDIRECT, Harness, pathOf, type TestClient } from './helpers/harness.js'
import { type SpyStore, spyStore, writes } from './helpers/spy-store.js'

/** The consent page of a fresh authorization request: its form fields and the consent cookie. */
interface ConsentForm {
  readonly fields: Record<string, string>
  readonly cookie: string
  readonly state: string
}

describe('consent', () => {
  let h: Harness
  let store: SpyStore
  let client: TestClient
  let other: TestClient
  let failAuthorizationUrl = false

  before(async () => {
    store = spyStore(new MemoryStore())
    h = await Harness.start({
      store,
      // A pre-registered client with a second scope makes `mxcp:read` a supported scope.
      auth: { clients: [{ client_id: 'cli', name: 'CLI', scopes: ['mxcp:access', 'mxcp:read'] }] },
      wrapProvider: (provider) => ({
        ...provider,
        authorizationUrl: async (params) => {
          if (failAuthorizationUrl) throw new UpstreamUnavailableError('github', 'discovery failed')
          return provider.authorizationUrl(params)
        },
      }),
    })
    client = await h.register({ client_name: 'Client A', scope: 'mxcp:access mxcp:read' })
    other = await h.register({ client_name: 'Client B' })
  })
  after(async () => {
    await h.close()
  })
  beforeEach(() => {
    store.reset()
    h.idp.resetRecords()
    failAuthorizationUrl = false
  })

  async function openConsent(
    clientId: string,
    overrides: Record<string, string | undefined> = {},
  ): Promise<ConsentForm> {
    const { url, state } = h.authorizeUrl(clientId, overrides)
    const response = await h.app.inject({ method: 'GET', url: pathOf(url) })
    assert.equal(response.statusCode, 200)
    const [consent] = parseForms(response.body, new URL(url))
    assert.ok(consent)
    const cookie = String(response.headers['set-cookie']).split(';')[0] ?? ''
    return { fields: Object.fromEntries(consent.fields), cookie, state }
  }

  function post(
    fields: Record<string, string | undefined>,
    cookie?: string,
  ): Promise<LightMyRequestResponse> {
    const clean = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined)
    return h.app.inject({
      method: 'POST',
      url: '/consent',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      payload: new URLSearchParams(clean).toString(),
    })
  }

  function handoverTarget(response: LightMyRequestResponse): URL {
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers.location, undefined, 'no 302 after a form post (CSP form-action)')
    const target = parseMetaRefresh(response.body, new URL(`${BASE}/consent`))
    assert.ok(target, 'a meta refresh hands the browser over')
    return target
  }

  function assertRefused(response: LightMyRequestResponse): void {
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /Consent expired/)
    assert.deepEqual(writes(store), [])
    assert.equal(h.idp.calls(), 0)
  }

  test('Approve stores one upstream transaction and hands over to the provider with our own state and PKCE', async () => {
    const consent = await openConsent(client.clientId)
    const response = await post({ ...consent.fields, decision: 'approve' }, consent.cookie)
    const upstream = handoverTarget(response)
    assert.equal(`${upstream.origin}${upstream.pathname}`, h.idp.authorizeUrl)
    assert.equal(upstream.searchParams.get('client_id'), h.idp.clientId)
    assert.equal(upstream.searchParams.get('redirect_uri'), `${BASE}/github/callback`)
    assert.equal(upstream.searchParams.get('code_challenge_method'), 'S256')
    assert.match(String(upstream.searchParams.get('code_challenge')), /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(upstream.searchParams.get('state'), consent.state, "our state, not the client's")
    assert.notEqual(
      upstream.searchParams.get('code_challenge'),
      consent.fields['code_challenge'],
      "our PKCE, not the client's",
    )
    assert.deepEqual(writes(store), ['saveTransaction'])
    assert.equal(h.idp.calls(), 0, 'the browser, not the server, goes upstream')
    const login = String(response.headers['set-cookie'])
    assert.match(login, /^__Host-mxcp_login=[A-Za-z0-9_-]{43};.*HttpOnly/)
    assert.match(login, /Max-Age=600/)
  })

  test('the hand-over page carries the same security headers as the consent page', async () => {
    const consent = await openConsent(client.clientId)
    const response = await post({ ...consent.fields, decision: 'approve' }, consent.cookie)
    assert.equal(response.headers['x-frame-options'], 'DENY')
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal(response.headers['referrer-policy'], 'no-referrer')
  })

  test('Deny sends access_denied with state and iss back to the client; nothing stored or sent upstream', async () => {
    const consent = await openConsent(client.clientId)
    const target = handoverTarget(await post({ ...consent.fields, decision: 'deny' }, consent.cookie))
    assert.equal(`${target.origin}${target.pathname}`, CLIENT_REDIRECT)
    assert.equal(target.searchParams.get('error'), 'access_denied')
    assert.equal(target.searchParams.get('state'), consent.state)
    assert.equal(target.searchParams.get('iss'), BASE)
    assert.deepEqual(writes(store), [])
    assert.equal(h.idp.calls(), 0)
  })

  test('consent given to one client cannot be replayed for another', async () => {
    const consent = await openConsent(client.clientId)
    const forOther = await openConsent(other.clientId)
    assertRefused(
      await post(
        { ...forOther.fields, csrf_token: consent.fields['csrf_token'], decision: 'approve' },
        consent.cookie,
      ),
    )
    assertRefused(
      await post({ ...consent.fields, client_id: other.clientId, decision: 'approve' }, consent.cookie),
    )
  })

  test('the page lists the scopes about to be granted; one not granted to everyone is marked as depending on the account', async () => {
    const { url } = h.authorizeUrl(client.clientId, { scope: 'mxcp:access mxcp:read' })
    const response = await h.app.inject({ method: 'GET', url: pathOf(url) })
    assert.match(response.body, /Permissions to be granted:/)
    assert.match(response.body, /<li><code>mxcp:access<\/code><\/li>/)
    assert.match(
      response.body,
      /<li><code>mxcp:read<\/code> <span class="muted">\(only if your account is granted it\)<\/span><\/li>/,
    )
  })

  test('the CSRF token is bound to the exact request: redirect URI, challenge, scopes, state and expiry', async () => {
    const consent = await openConsent(client.clientId, { scope: 'mxcp:access' })
    const tampered: Record<string, string>[] = [
      { redirect_uri: 'http://127.0.0.1:9000/callback' },
      { code_challenge: 'A'.repeat(43) },
      { scope: 'mxcp:access mxcp:read' },
      { state: 'another-state' },
      { consent_expires: String(Number(consent.fields['consent_expires']) + 1) },
    ]
    for (const change of tampered)
      assertRefused(await post({ ...consent.fields, ...change, decision: 'approve' }, consent.cookie))
  })

  test('the CSRF token is bound to the browser: no or another consent cookie is refused', async () => {
    const consent = await openConsent(client.clientId)
    const elsewhere = await openConsent(client.clientId)
    assertRefused(await post({ ...consent.fields, decision: 'approve' }))
    assertRefused(await post({ ...consent.fields, decision: 'approve' }, elsewhere.cookie))
  })

  test('a consent page expires after 10 minutes', async () => {
    const consent = await openConsent(client.clientId)
    h.clock.advance(CONSENT_TTL_MS)
    assertRefused(await post({ ...consent.fields, decision: 'approve' }, consent.cookie))
  })

  test('a browser keeps its consent cookie across requests (two tabs work)', async () => {
    const first = await openConsent(client.clientId)
    const response = await h.app.inject({
      method: 'GET',
      url: pathOf(h.authorizeUrl(other.clientId).url),
      headers: { cookie: first.cookie },
    })
    assert.equal(String(response.headers['set-cookie']).split(';')[0], first.cookie)
    const [second] = parseForms(response.body, new URL(BASE))
    assert.ok(second)
    handoverTarget(await post({ ...first.fields, decision: 'approve' }, first.cookie))
    handoverTarget(await post({ ...Object.fromEntries(second.fields), decision: 'approve' }, first.cookie))
  })

  test('the posted request is validated again: an unknown client gets a page, not a redirect', async () => {
    const consent = await openConsent(client.clientId)
    const response = await post({ ...consent.fields, client_id: 'gone', decision: 'approve' }, consent.cookie)
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /not registered/)
    assert.deepEqual(writes(store), [])
  })

  test('a consent post that is not a form is refused with a page', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/consent', payload: { decision: 'approve' } })
    assert.equal(response.statusCode, 400)
    assert.match(String(response.headers['content-type']), /text\/html/)
    assert.deepEqual(writes(store), [])
  })

  test('a post without a decision is treated as a refusal', async () => {
    const consent = await openConsent(client.clientId)
    const target = handoverTarget(await post(consent.fields, consent.cookie))
    assert.equal(target.searchParams.get('error'), 'access_denied')
    assert.deepEqual(writes(store), [])
  })

  test('a provider that cannot build its authorization URL sends temporarily_unavailable back; nothing stored', async () => {
    failAuthorizationUrl = true
    const consent = await openConsent(client.clientId)
    const target = handoverTarget(await post({ ...consent.fields, decision: 'approve' }, consent.cookie))
    assert.equal(target.searchParams.get('error'), 'temporarily_unavailable')
    assert.equal(target.searchParams.get('state'), consent.state)
    assert.deepEqual(writes(store), [])
  })
})
