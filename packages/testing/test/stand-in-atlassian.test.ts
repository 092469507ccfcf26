import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  type AtlassianStandIn,
  followAuthorization,
  startAtlassianStandIn,
} from '../src/stand-ins/atlassian.js'

const CALLBACK = 'http://127.0.0.1:8000/atlassian/callback'
type Json = Record<string, unknown>

function authorizeUrl(standIn: AtlassianStandIn, params: Record<string, string> = {}): URL {
  const url = new URL('/authorize', standIn.url)
  const query = {
    audience: 'api.atlassian.com',
    client_id: standIn.clientId,
    scope: 'read:me offline_access',
    redirect_uri: CALLBACK,
    state: 'st',
    response_type: 'code',
    prompt: 'consent',
    ...params,
  }
  url.search = new URLSearchParams(query).toString()
  return url
}

async function codeFrom(standIn: AtlassianStandIn, params: Record<string, string> = {}): Promise<string> {
  const code = (await followAuthorization(authorizeUrl(standIn, params))).searchParams.get('code')
  assert.ok(code)
  return code
}

async function postToken(
  standIn: AtlassianStandIn,
  fields: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${standIn.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: standIn.clientId, client_secret: standIn.clientSecret, ...fields }),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

async function exchange(standIn: AtlassianStandIn, params: Record<string, string> = {}): Promise<Json> {
  const code = await codeFrom(standIn, params)
  return (await postToken(standIn, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK })).body
}

describe('Atlassian stand-in', () => {
  let standIn: AtlassianStandIn
  before(async () => {
    standIn = await startAtlassianStandIn({ slowMs: 300 })
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.requests.length = 0
  })

  describe('authorize', () => {
    test('approves with a code and our state when audience, client and callback are right', async () => {
      const back = await followAuthorization(authorizeUrl(standIn))
      assert.equal(`${back.origin}${back.pathname}`, CALLBACK)
      assert.equal(back.searchParams.get('state'), 'st')
      assert.ok(back.searchParams.get('code'))
      assert.equal(standIn.requestsTo('authorize')[0]?.query['prompt'], 'consent')
    })

    test('without audience=api.atlassian.com it shows an error page, never a redirect', async () => {
      const response = await fetch(authorizeUrl(standIn, { audience: 'other' }), { redirect: 'manual' })
      assert.equal(response.status, 400)
      assert.equal(response.headers.get('location'), null)
    })

    test('an unregistered callback is an error page, never a redirect', async () => {
      const strict = await startAtlassianStandIn({ redirectUris: [CALLBACK] })
      try {
        const response = await fetch(authorizeUrl(strict, { redirect_uri: 'http://evil.example/cb' }), {
          redirect: 'manual',
        })
        assert.equal(response.status, 400)
        assert.equal(response.headers.get('location'), null)
      } finally {
        await strict.close()
      }
    })

    test('denied consent redirects with error=access_denied and the state', async () => {
      standIn.denyConsent = true
      const back = await followAuthorization(authorizeUrl(standIn))
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.equal(back.searchParams.get('state'), 'st')
    })
  })

  describe('token endpoint', () => {
    test('takes JSON and answers JSON: a Bearer token for an hour, and a refresh token for offline_access', async () => {
      const body = await exchange(standIn)
      assert.equal(body['token_type'], 'Bearer')
      assert.equal(body['expires_in'], 3600)
      assert.equal(body['scope'], 'read:me offline_access')
      assert.ok(body['refresh_token'])
      const online = await exchange(standIn, { scope: 'read:me' })
      assert.equal(online['refresh_token'], undefined)
      assert.match(String(standIn.requestsTo('token')[0]?.headers['content-type']), /^application\/json/)
    })

    test('errors are Auth0-style JSON: a bad code is 403 invalid_grant, a bad secret 401 access_denied', async () => {
      const bad = await postToken(standIn, {
        grant_type: 'authorization_code',
        code: 'nope',
        redirect_uri: CALLBACK,
      })
      assert.deepEqual(bad, {
        status: 403,
        body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
      })
      const secret = await postToken(standIn, {
        grant_type: 'authorization_code',
        code: 'x',
        client_secret: 'wrong',
      })
      assert.equal(secret.status, 401)
      assert.equal(secret.body['error'], 'access_denied')
    })

    test('a code bound to a PKCE challenge needs the matching verifier', async () => {
      const verifier = 'a-verifier-of-enough-length-for-the-test-0123456789'
      const challenge = {
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }
      const wrong = await postToken(standIn, {
        grant_type: 'authorization_code',
        code: await codeFrom(standIn, challenge),
        redirect_uri: CALLBACK,
        code_verifier: 'x',
      })
      assert.equal(wrong.status, 403)
      const right = await postToken(standIn, {
        grant_type: 'authorization_code',
        code: await codeFrom(standIn, challenge),
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      })
      assert.equal(right.status, 200)
    })

    test('refresh tokens rotate, and reusing a spent one revokes the whole login', async () => {
      const first = await exchange(standIn)
      const second = await postToken(standIn, {
        grant_type: 'refresh_token',
        refresh_token: String(first['refresh_token']),
      })
      assert.equal(second.status, 200)
      assert.notEqual(second.body['refresh_token'], first['refresh_token'])
      const reuse = await postToken(standIn, {
        grant_type: 'refresh_token',
        refresh_token: String(first['refresh_token']),
      })
      assert.deepEqual(reuse, {
        status: 403,
        body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' },
      })
      const afterReuse = await postToken(standIn, {
        grant_type: 'refresh_token',
        refresh_token: String(second.body['refresh_token']),
      })
      assert.equal(afterReuse.status, 403)
      const me = await fetch(`${standIn.url}/me`, {
        headers: { authorization: `Bearer ${second.body['access_token']}` },
      })
      assert.equal(me.status, 401)
    })
  })

  describe('api.atlassian.com', () => {
    test('/me answers the profile for a live token with read:me', async () => {
      const token = String((await exchange(standIn))['access_token'])
      const response = await fetch(`${standIn.url}/me`, { headers: { authorization: `Bearer ${token}` } })
      const profile = (await response.json()) as Json
      assert.equal(profile['account_id'], '5b10ac8d82e05b22cc7d4ef5')
      assert.equal(profile['nickname'], 'mkrystof')
      assert.equal(profile['account_status'], 'active')
    })

    test('/me is 401 for a dead token and 403 without read:me', async () => {
      assert.equal(
        (await fetch(`${standIn.url}/me`, { headers: { authorization: 'Bearer dead' } })).status,
        401,
      )
      const token = String((await exchange(standIn, { scope: 'read:jira-work' }))['access_token'])
      assert.equal(
        (await fetch(`${standIn.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status,
        403,
      )
    })

    test('accessible-resources lists the site with the granted product scopes', async () => {
      const token = String(
        (await exchange(standIn, { scope: 'read:me read:jira-work offline_access' }))['access_token'],
      )
      const response = await fetch(`${standIn.url}/oauth/token/accessible-resources`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const [site] = (await response.json()) as Json[]
      assert.deepEqual(site?.['scopes'], ['read:jira-work'])
      assert.match(String(site?.['url']), /\.atlassian\.net$/)
    })
  })

  describe('failure switches', () => {
    test('server-error, malformed and oauth-error at the token endpoint', async () => {
      standIn.fail('token', 'server-error')
      assert.equal((await fetch(`${standIn.url}/oauth/token`, { method: 'POST' })).status, 503)
      standIn.fail('token', 'malformed')
      const malformed = await fetch(`${standIn.url}/oauth/token`, { method: 'POST' })
      assert.equal(malformed.status, 200)
      assert.match(String(malformed.headers.get('content-type')), /^text\/html/)
      standIn.fail('token', 'oauth-error')
      assert.equal((await postToken(standIn, {})).body['error'], 'invalid_grant')
    })

    test('oauth-error at authorize redirects with an OAuth error', async () => {
      standIn.fail('authorize', 'oauth-error')
      const back = await followAuthorization(authorizeUrl(standIn))
      assert.equal(back.searchParams.get('error'), 'unauthorized_client')
      assert.equal(back.searchParams.get('state'), 'st')
    })

    test('slow answers only after slowMs', async () => {
      standIn.fail('me', 'slow')
      const started = Date.now()
      assert.equal((await fetch(`${standIn.url}/me`)).status, 401)
      assert.ok(Date.now() - started >= 280)
    })
  })
})
