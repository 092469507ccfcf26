import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { after, before, beforeEach, describe, test } from 'node:test'
import {
  followAuthorization,
  type SalesforceStandIn,
  startSalesforceStandIn,
} from '../src/stand-ins/salesforce.js'

const CALLBACK = 'http://127.0.0.1:8000/salesforce/callback'
type Json = Record<string, unknown>

function authorizeUrl(standIn: SalesforceStandIn, params: Record<string, string> = {}): URL {
  const url = new URL('/services/oauth2/authorize', standIn.url)
  const query = {
    response_type: 'code',
    client_id: standIn.clientId,
    redirect_uri: CALLBACK,
    scope: 'api refresh_token openid',
    state: 'st',
    ...params,
  }
  url.search = new URLSearchParams(query).toString()
  return url
}

async function codeFrom(standIn: SalesforceStandIn, params: Record<string, string> = {}): Promise<string> {
  const code = (await followAuthorization(authorizeUrl(standIn, params))).searchParams.get('code')
  assert.ok(code)
  return code
}

async function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  })
  return { status: response.status, text: await response.text() }
}

async function exchange(standIn: SalesforceStandIn, params: Record<string, string> = {}): Promise<Json> {
  const code = await codeFrom(standIn, params)
  const fields = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: CALLBACK,
    client_id: standIn.clientId,
    client_secret: standIn.clientSecret,
  }
  const answer = await postForm(`${standIn.url}/services/oauth2/token`, fields)
  assert.equal(answer.status, 200, answer.text)
  return JSON.parse(answer.text) as Json
}

describe('Salesforce stand-in', () => {
  let standIn: SalesforceStandIn
  let now: number
  before(async () => {
    now = Date.UTC(2026, 0, 1)
    standIn = await startSalesforceStandIn({ slowMs: 300, now: () => now })
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.requests.length = 0
  })

  test('runs two hosts: the login host and the org’s My Domain', () => {
    assert.match(standIn.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(standIn.instanceUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(standIn.url, standIn.instanceUrl)
  })

  describe('authorize', () => {
    test('denied consent redirects with access_denied, "end-user denied authorization"', async () => {
      standIn.denyConsent = true
      const back = await followAuthorization(authorizeUrl(standIn))
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.equal(back.searchParams.get('error_description'), 'end-user denied authorization')
      assert.equal(back.searchParams.get('state'), 'st')
    })

    test('an unknown client is an error page, never a redirect', async () => {
      const response = await fetch(authorizeUrl(standIn, { client_id: 'nobody' }), { redirect: 'manual' })
      assert.equal(response.status, 400)
      assert.equal(response.headers.get('location'), null)
    })

    test('a code_challenge without a method is taken as S256', async () => {
      const verifier = 'a-verifier-of-enough-length-for-the-test-0123456789'
      const code = await codeFrom(standIn, {
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      })
      const fields = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
      }
      assert.equal(
        (await postForm(`${standIn.url}/services/oauth2/token`, { ...fields, code_verifier: verifier }))
          .status,
        200,
      )
    })
  })

  describe('token endpoint', () => {
    test('answers instance_url (the org host), the identity id, issued_at and a valid signature, but no expires_in', async () => {
      const body = await exchange(standIn)
      assert.equal(body['instance_url'], standIn.instanceUrl)
      assert.equal(body['id'], `${standIn.url}/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS`)
      assert.equal(body['issued_at'], String(now))
      assert.equal(body['token_type'], 'Bearer')
      assert.equal(body['expires_in'], undefined)
      const signature = createHmac('sha256', standIn.clientSecret)
        .update(`${body['id']}${body['issued_at']}`)
        .digest('base64')
      assert.equal(body['signature'], signature)
      assert.ok(body['refresh_token'])
    })

    test('no refresh token without the refresh_token or offline_access scope', async () => {
      assert.equal((await exchange(standIn, { scope: 'api openid' }))['refresh_token'], undefined)
      assert.ok((await exchange(standIn, { scope: 'api offline_access' }))['refresh_token'])
    })

    test('errors are JSON 400s; HTTP Basic client authentication works too', async () => {
      const bad = await postForm(`${standIn.url}/services/oauth2/token`, {
        grant_type: 'authorization_code',
        code: 'nope',
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
      })
      assert.deepEqual(
        { status: bad.status, body: JSON.parse(bad.text) },
        { status: 400, body: { error: 'invalid_grant', error_description: 'invalid authorization code' } },
      )
      const code = await codeFrom(standIn)
      const basic = `Basic ${Buffer.from(`${standIn.clientId}:${standIn.clientSecret}`).toString('base64')}`
      const ok = await postForm(
        `${standIn.url}/services/oauth2/token`,
        { grant_type: 'authorization_code', code, redirect_uri: CALLBACK },
        { authorization: basic },
      )
      assert.equal(ok.status, 200)
    })

    test('refresh tokens are not rotated unless rotation is on', async () => {
      const first = await exchange(standIn)
      const refresh = (target: SalesforceStandIn, token: unknown) =>
        postForm(`${target.url}/services/oauth2/token`, {
          grant_type: 'refresh_token',
          refresh_token: String(token),
          client_id: target.clientId,
          client_secret: target.clientSecret,
        })
      const again = JSON.parse((await refresh(standIn, first['refresh_token'])).text) as Json
      assert.equal(again['refresh_token'], undefined)
      assert.equal((await refresh(standIn, first['refresh_token'])).status, 200)
      const rotating = await startSalesforceStandIn({ rotateRefreshTokens: true })
      try {
        const initial = await exchange(rotating)
        const rotated = JSON.parse((await refresh(rotating, initial['refresh_token'])).text) as Json
        assert.ok(rotated['refresh_token'])
        const spent = await refresh(rotating, initial['refresh_token'])
        assert.deepEqual(
          { status: spent.status, body: JSON.parse(spent.text) },
          {
            status: 400,
            body: { error: 'invalid_grant', error_description: 'expired access/refresh token' },
          },
        )
      } finally {
        await rotating.close()
      }
    })
  })

  describe('userinfo and revocation', () => {
    test('both hosts serve userinfo; a dead token is a 403 Bad_OAuth_Token in plain text', async () => {
      const token = String((await exchange(standIn))['access_token'])
      for (const host of [standIn.url, standIn.instanceUrl]) {
        const response = await fetch(`${host}/services/oauth2/userinfo`, {
          headers: { authorization: `Bearer ${token}` },
        })
        assert.equal(((await response.json()) as Json)['preferred_username'], 'jane.doe@acme.example')
      }
      const dead = await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`, {
        headers: { authorization: 'Bearer dead' },
      })
      assert.equal(dead.status, 403)
      assert.equal(await dead.text(), 'Bad_OAuth_Token')
    })

    test('an access token dies at the session timeout although no expiry was announced', async () => {
      const token = String((await exchange(standIn))['access_token'])
      now += 2 * 3600_000
      const response = await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(response.status, 403)
    })

    test('revoking a refresh token kills its access tokens; a second revocation is 400 invalid_token', async () => {
      const body = await exchange(standIn)
      assert.equal(
        (await postForm(`${standIn.url}/services/oauth2/revoke`, { token: String(body['refresh_token']) }))
          .status,
        200,
      )
      const userinfo = await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${body['access_token']}` },
      })
      assert.equal(userinfo.status, 403)
      const again = await postForm(`${standIn.url}/services/oauth2/revoke`, {
        token: String(body['refresh_token']),
      })
      assert.deepEqual(
        { status: again.status, error: (JSON.parse(again.text) as Json)['error'] },
        { status: 400, error: 'invalid_token' },
      )
    })
  })

  describe('failure switches', () => {
    test('apply on both hosts, and heal() clears them', async () => {
      standIn.fail('userinfo', 'server-error')
      assert.equal((await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`)).status, 503)
      assert.equal((await fetch(`${standIn.url}/services/oauth2/userinfo`)).status, 503)
      standIn.heal()
      assert.equal((await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`)).status, 403)
    })

    test('oauth-error at the token endpoint is a 400 invalid_grant', async () => {
      standIn.fail('token', 'oauth-error')
      const answer = await postForm(`${standIn.url}/services/oauth2/token`, {})
      assert.equal(answer.status, 400)
      assert.equal((JSON.parse(answer.text) as Json)['error'], 'invalid_grant')
    })

    test('records which host received each request', async () => {
      const token = String((await exchange(standIn))['access_token'])
      await fetch(`${standIn.instanceUrl}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${token}` },
      })
      assert.equal(standIn.requestsTo('token')[0]?.origin, standIn.url)
      assert.equal(standIn.requestsTo('userinfo')[0]?.origin, standIn.instanceUrl)
    })
  })
})
