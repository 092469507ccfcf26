import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, beforeEach, describe, test } from 'node:test'
import { type FakeIdp, HeadlessBrowser, startFakeIdp } from '../src/index.js'

const REDIRECT = 'http://127.0.0.1:8999/upstream-callback'

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

function authorizeUrl(idp: FakeIdp, challenge: string | undefined, state = 'st'): URL {
  const url = new URL(idp.authorizeUrl)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: idp.clientId,
    redirect_uri: REDIRECT,
    state,
    scope: 'user:email',
    ...(challenge ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  }).toString()
  return url
}

async function token(
  idp: FakeIdp,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(idp.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: idp.clientId, client_secret: idp.clientSecret, ...params }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function login(idp: FakeIdp): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce()
  const result = await new HeadlessBrowser().run(authorizeUrl(idp, challenge), { stopAt: REDIRECT })
  const code = result.params.get('code')
  assert.ok(code)
  return { code, verifier }
}

describe('fake identity provider', () => {
  let idp: FakeIdp
  before(async () => {
    idp = await startFakeIdp({ slowMs: 300 })
  })
  after(async () => {
    await idp.close()
  })
  beforeEach(() => {
    idp.heal()
    idp.resetRecords()
  })

  test('logs the user in at once and checks PKCE S256 at the token endpoint', async () => {
    const { code } = await login(idp)
    const wrong = await token(idp, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: pkce().verifier,
    })
    assert.equal(wrong.status, 400)
    assert.equal(wrong.body['error'], 'invalid_grant')
    // The failed attempt used the code up, like a strict provider.
    const again = await login(idp)
    const ok = await token(idp, {
      grant_type: 'authorization_code',
      code: again.code,
      redirect_uri: REDIRECT,
      code_verifier: again.verifier,
    })
    assert.equal(ok.status, 200)
    assert.equal(typeof ok.body['access_token'], 'string')
    assert.equal(ok.body['expires_in'], 3600)
  })

  test('an authorization request without PKCE is refused with a redirect', async () => {
    const result = await new HeadlessBrowser().run(authorizeUrl(idp, undefined), { stopAt: REDIRECT })
    assert.equal(result.params.get('error'), 'invalid_request')
    assert.equal(result.params.get('state'), 'st')
  })

  test('codes are single use', async () => {
    const { code, verifier } = await login(idp)
    const params = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }
    assert.equal((await token(idp, params)).status, 200)
    assert.equal((await token(idp, params)).status, 400)
  })

  test('refresh tokens rotate: the old one is refused after use', async () => {
    const { code, verifier } = await login(idp)
    const first = await token(idp, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    })
    const refreshToken = String(first.body['refresh_token'])
    const rotated = await token(idp, { grant_type: 'refresh_token', refresh_token: refreshToken })
    assert.equal(rotated.status, 200)
    assert.notEqual(rotated.body['refresh_token'], refreshToken)
    assert.equal((await token(idp, { grant_type: 'refresh_token', refresh_token: refreshToken })).status, 400)
  })

  test('userinfo answers for a live token and 401 for a revoked one', async () => {
    const { code, verifier } = await login(idp)
    const issued = await token(idp, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    })
    const accessToken = String(issued.body['access_token'])
    const me = await fetch(idp.userInfoUrl, { headers: { authorization: `Bearer ${accessToken}` } })
    assert.equal(me.status, 200)
    assert.equal(((await me.json()) as Record<string, unknown>)['login'], 'alice')
    const revoked = await fetch(idp.revokeUrl, {
      method: 'POST',
      body: new URLSearchParams({
        token: accessToken,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
      }),
    })
    assert.equal(revoked.status, 200)
    assert.equal(
      (await fetch(idp.userInfoUrl, { headers: { authorization: `Bearer ${accessToken}` } })).status,
      401,
    )
  })

  test('failure modes: deny, server-error, garbage, slow; `times` limits them; counters record every call', async () => {
    idp.fail('authorize', 'deny', 1)
    const denied = await new HeadlessBrowser().run(authorizeUrl(idp, pkce().challenge), { stopAt: REDIRECT })
    assert.equal(denied.params.get('error'), 'access_denied')
    await login(idp)

    idp.fail('token', 'server-error')
    assert.equal((await fetch(idp.tokenUrl, { method: 'POST' })).status, 500)
    idp.fail('token', 'garbage')
    const garbage = await fetch(idp.tokenUrl, { method: 'POST' })
    assert.equal(garbage.status, 200)
    assert.match(await garbage.text(), /maintenance/)
    idp.fail('userinfo', 'slow')
    const started = Date.now()
    assert.equal((await fetch(idp.userInfoUrl)).status, 401)
    assert.ok(Date.now() - started >= 250)

    assert.equal(idp.calls('authorize'), 2)
    assert.equal(idp.calls('token'), 2)
    assert.equal(idp.calls('userinfo'), 1)
    assert.equal(idp.calls(), 5)
  })

  test('interactive mode renders a login page that the browser submits', async () => {
    const interactive = await startFakeIdp({ interactive: true })
    try {
      const approved = await new HeadlessBrowser().run(authorizeUrl(interactive, pkce().challenge), {
        stopAt: REDIRECT,
      })
      assert.ok(approved.params.get('code'))
      const denied = await new HeadlessBrowser().run(authorizeUrl(interactive, pkce().challenge), {
        stopAt: REDIRECT,
        decision: 'deny',
      })
      assert.equal(denied.params.get('error'), 'access_denied')
    } finally {
      await interactive.close()
    }
  })

  test('client authentication with HTTP Basic is accepted; a wrong secret is 401 invalid_client', async () => {
    const basic = Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64')
    const ok = await fetch(idp.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'unknown' }),
    })
    assert.equal(ok.status, 400)
    assert.equal(idp.requests.at(-1)?.authScheme, 'Basic')
    const bad = await fetch(idp.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: idp.clientId,
        client_secret: 'nope',
      }),
    })
    assert.equal(bad.status, 401)
  })
})
