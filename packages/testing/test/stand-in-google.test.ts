import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { type GoogleStandIn, startGoogleStandIn } from '../src/stand-ins/google.js'
import { followToCallback } from '../src/stand-ins/standard-shared.js'

const REDIRECT = 'http://localhost:8000/google/callback'
let google: GoogleStandIn
let clock = Date.UTC(2026, 0, 1)

before(async () => {
  google = await startGoogleStandIn({ now: () => clock })
})
after(() => google.close())

function authUrl(params: Record<string, string> = {}): URL {
  const url = new URL(google.endpoints.auth_url)
  url.search = new URLSearchParams({
    client_id: google.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'st',
    ...params,
  }).toString()
  return url
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function codeFor(params: Record<string, string> = {}) {
  const { verifier, challenge } = pkce()
  const back = await followToCallback(
    authUrl({ code_challenge: challenge, code_challenge_method: 'S256', access_type: 'offline', ...params }),
  )
  return { code: back.searchParams.get('code') ?? '', verifier, back }
}

function exchange(code: string, verifier: string, extra: Record<string, string> = {}) {
  return post(google.endpoints.token_url, {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    client_id: google.clientId,
    client_secret: google.clientSecret,
    ...extra,
  })
}

describe('the Google stand-in speaks Google’s OAuth 2.0 wire format', () => {
  test('consent redirects back with code, state, the expanded scope, authuser and prompt', async () => {
    const { back } = await codeFor({ prompt: 'consent' })
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT)
    assert.equal(back.searchParams.get('state'), 'st')
    assert.match(back.searchParams.get('code') ?? '', /^4\/0A/)
    assert.equal(
      back.searchParams.get('scope'),
      'openid https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/userinfo.email',
    )
    assert.equal(back.searchParams.get('authuser'), '0')
    assert.equal(back.searchParams.get('prompt'), 'consent')
  })

  test('an unregistered redirect URI gets an error page, never a redirect', async () => {
    const response = await fetch(authUrl({ redirect_uri: 'https://evil.example.com/cb' }), {
      redirect: 'manual',
    })
    assert.equal(response.status, 400)
    assert.equal(response.headers.get('location'), null)
    assert.match(await response.text(), /redirect_uri_mismatch/)
  })

  test('denied consent redirects back with error=access_denied and no code', async () => {
    google.denyConsent = true
    try {
      const back = await followToCallback(authUrl())
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.equal(back.searchParams.get('code'), null)
      assert.equal(back.searchParams.get('state'), 'st')
    } finally {
      google.denyConsent = false
    }
  })

  test('the code exchange answers Google’s token JSON with a signed ID token', async () => {
    const { code, verifier } = await codeFor({ prompt: 'consent', nonce: 'n-1' })
    const { status, body } = await exchange(code, verifier)
    assert.equal(status, 200)
    assert.match(String(body['access_token']), /^ya29\./)
    assert.match(String(body['refresh_token']), /^1\/\/0/)
    assert.equal(body['expires_in'], 3599)
    assert.equal(body['token_type'], 'Bearer')
    const jwks = (await (await fetch(`${google.url}/oauth2/v3/certs`)).json()) as { keys: [] }
    const { payload } = await jwtVerify(String(body['id_token']), createLocalJWKSet(jwks), {
      issuer: google.issuer,
      audience: google.clientId,
      currentDate: new Date(clock),
    })
    assert.equal(payload.sub, google.user.sub)
    assert.equal(payload['nonce'], 'n-1')
    assert.equal(payload['email'], google.user.email)
  })

  test('a refresh token comes only with access_type=offline, at the first consent or with prompt=consent', async () => {
    const fresh = await startGoogleStandIn()
    try {
      const flow = async (params: Record<string, string>) => {
        const { verifier, challenge } = pkce()
        const url = new URL(fresh.endpoints.auth_url)
        url.search = new URLSearchParams({
          client_id: fresh.clientId,
          redirect_uri: REDIRECT,
          response_type: 'code',
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          ...params,
        }).toString()
        const code = (await followToCallback(url)).searchParams.get('code') ?? ''
        const { body } = await post(fresh.endpoints.token_url, {
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
          client_id: fresh.clientId,
          client_secret: fresh.clientSecret,
        })
        return body['refresh_token'] !== undefined
      }
      assert.equal(await flow({}), false, 'online access: no refresh token')
      assert.equal(await flow({ access_type: 'offline' }), false, 'not the first consent any more')
      assert.equal(
        await flow({ access_type: 'offline', prompt: 'consent' }),
        true,
        'prompt=consent brings it back',
      )
    } finally {
      await fresh.close()
    }
  })

  test('PKCE is enforced: a wrong verifier is invalid_grant', async () => {
    const { code } = await codeFor()
    const { status, body } = await exchange(code, 'not-the-verifier')
    assert.equal(status, 400)
    assert.equal(body['error'], 'invalid_grant')
  })

  test('a code works once', async () => {
    const { code, verifier } = await codeFor()
    assert.equal((await exchange(code, verifier)).status, 200)
    const replay = await exchange(code, verifier)
    assert.equal(replay.status, 400)
    assert.equal(replay.body['error'], 'invalid_grant')
  })

  test('the client may authenticate with Basic; a wrong secret is 401 invalid_client', async () => {
    const { code, verifier } = await codeFor()
    const basic = `Basic ${Buffer.from(`${google.clientId}:${google.clientSecret}`).toString('base64')}`
    const anonymous = await exchange(code, verifier, { client_id: '', client_secret: '' })
    assert.equal(anonymous.status, 401, 'no credentials at all')
    const { code: second, verifier: secondVerifier } = await codeFor()
    const withBasic = await post(
      google.endpoints.token_url,
      {
        grant_type: 'authorization_code',
        code: second,
        code_verifier: secondVerifier,
        redirect_uri: REDIRECT,
      },
      { authorization: basic },
    )
    assert.equal(withBasic.status, 200)
    const wrong = await exchange(code, verifier, { client_secret: 'wrong' })
    assert.deepEqual(wrong, {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Unauthorized' },
    })
  })

  test('user info answers the claims of the granted scopes; a dead token is 401', async () => {
    const { code, verifier } = await codeFor()
    const { body } = await exchange(code, verifier)
    const info = await fetch(google.endpoints.userinfo_url, {
      headers: { authorization: `Bearer ${body['access_token']}` },
    })
    assert.equal(info.status, 200)
    assert.deepEqual(await info.json(), { ...google.user })
    clock += 3600 * 1000
    const expired = await fetch(google.endpoints.userinfo_url, {
      headers: { authorization: `Bearer ${body['access_token']}` },
    })
    assert.equal(expired.status, 401)
    assert.match(String(expired.headers.get('www-authenticate')), /error="invalid_token"/)
  })

  test('refresh answers a new access token without a new refresh token, unless rotation is switched on', async () => {
    const { code, verifier } = await codeFor({ prompt: 'consent' })
    const refreshToken = String((await exchange(code, verifier)).body['refresh_token'])
    const refresh = (token: string) =>
      post(google.endpoints.token_url, {
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: google.clientId,
        client_secret: google.clientSecret,
      })
    const plain = await refresh(refreshToken)
    assert.equal(plain.status, 200)
    assert.equal(plain.body['refresh_token'], undefined)
    google.rotateRefreshTokens = true
    try {
      const rotated = await refresh(refreshToken)
      assert.match(String(rotated.body['refresh_token']), /^1\/\/0/)
      const old = await refresh(refreshToken)
      assert.equal(old.status, 400)
      assert.equal(old.body['error'], 'invalid_grant')
    } finally {
      google.rotateRefreshTokens = false
    }
  })

  test('revoking a token ends its whole grant; revoking it again is 400 invalid_token', async () => {
    const { code, verifier } = await codeFor({ prompt: 'consent' })
    const { body } = await exchange(code, verifier)
    const revoke = () => post(google.endpoints.revoke_url, { token: String(body['refresh_token']) })
    assert.equal((await revoke()).status, 200)
    const info = await fetch(google.endpoints.userinfo_url, {
      headers: { authorization: `Bearer ${body['access_token']}` },
    })
    assert.equal(info.status, 401, 'the access token of the grant died too')
    assert.deepEqual(await revoke(), {
      status: 400,
      body: { error: 'invalid_token', error_description: 'Token expired or revoked' },
    })
  })

  test('revokeAll() kills every token, as removing the app’s access does', async () => {
    const { code, verifier } = await codeFor({ prompt: 'consent' })
    const { body } = await exchange(code, verifier)
    google.revokeAll()
    const refreshed = await post(google.endpoints.token_url, {
      grant_type: 'refresh_token',
      refresh_token: String(body['refresh_token']),
      client_id: google.clientId,
      client_secret: google.clientSecret,
    })
    assert.deepEqual(refreshed.body, {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    })
  })

  test('failure switches answer the chosen failure the chosen number of times, and requests are recorded', async () => {
    google.failures.set('userinfo', { kind: 'status', status: 503 }, 2)
    const statuses: number[] = []
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push((await fetch(google.endpoints.userinfo_url)).status)
    }
    assert.deepEqual(statuses, [503, 503, 401])
    const recorded = google.requestsTo('userinfo').slice(-3)
    assert.equal(recorded.length, 3)
    assert.equal(recorded[0]?.method, 'GET')
    const { code, verifier } = await codeFor()
    await exchange(code, verifier)
    assert.equal(google.requestsTo('token').at(-1)?.form?.['code_verifier'], verifier)
    assert.equal(google.requestsTo('authorize').at(-1)?.query['code_challenge_method'], 'S256')
  })
})
