import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, beforeEach, describe, test } from 'node:test'
import { followAuthorization, type GitHubStandIn, startGitHubStandIn } from '../src/stand-ins/github.js'

const CALLBACK = 'http://127.0.0.1:8000/github/callback'
const UA = { 'user-agent': 'stand-in-test' }

function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/** Authorizes as the logged-in user and returns the code. */
async function codeFrom(standIn: GitHubStandIn, params: Record<string, string> = {}): Promise<string> {
  const url = new URL('/login/oauth/authorize', standIn.url)
  const query = {
    client_id: standIn.clientId,
    redirect_uri: CALLBACK,
    scope: 'user:email',
    state: 'st',
    ...params,
  }
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  const code = (await followAuthorization(url)).searchParams.get('code')
  assert.ok(code)
  return code
}

async function postToken(
  standIn: GitHubStandIn,
  fields: Record<string, string>,
  headers: Record<string, string> = { accept: 'application/json' },
) {
  return fetch(`${standIn.url}/login/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      client_id: standIn.clientId,
      client_secret: standIn.clientSecret,
      ...fields,
    }),
  })
}

async function tokenFor(standIn: GitHubStandIn, scope = 'user:email'): Promise<Record<string, unknown>> {
  const code = await codeFrom(standIn, { scope })
  return (await (await postToken(standIn, { code })).json()) as Record<string, unknown>
}

describe('GitHub stand-in', () => {
  let standIn: GitHubStandIn
  let octocat: GitHubStandIn['user']
  before(async () => {
    standIn = await startGitHubStandIn({ slowMs: 300 })
    octocat = standIn.user
  })
  after(() => standIn.close())
  beforeEach(() => {
    standIn.heal()
    standIn.rateLimited = false
    standIn.requests.length = 0
    standIn.user = octocat
  })

  test('listens on 127.0.0.1 on a random port', () => {
    assert.match(standIn.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  })

  describe('authorize', () => {
    test('approves for the logged-in user: 302 to the callback with a code and our state', async () => {
      const url = new URL('/login/oauth/authorize', standIn.url)
      url.search = new URLSearchParams({
        client_id: standIn.clientId,
        redirect_uri: CALLBACK,
        state: 'xyz',
      }).toString()
      const back = await followAuthorization(url)
      assert.equal(`${back.origin}${back.pathname}`, CALLBACK)
      assert.equal(back.searchParams.get('state'), 'xyz')
      assert.ok(back.searchParams.get('code'))
      assert.equal(standIn.requestsTo('authorize')[0]?.query['state'], 'xyz')
    })

    test('denied consent redirects with error=access_denied and the state, without a code', async () => {
      standIn.denyConsent = true
      const url = new URL('/login/oauth/authorize', standIn.url)
      url.search = new URLSearchParams({
        client_id: standIn.clientId,
        redirect_uri: CALLBACK,
        state: 'xyz',
      }).toString()
      const back = await followAuthorization(url)
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.equal(back.searchParams.get('state'), 'xyz')
      assert.equal(back.searchParams.get('code'), null)
    })

    test('an unknown client_id gets a 404 page, not a redirect', async () => {
      const response = await fetch(
        `${standIn.url}/login/oauth/authorize?client_id=nobody&redirect_uri=${encodeURIComponent(CALLBACK)}`,
        {
          redirect: 'manual',
        },
      )
      assert.equal(response.status, 404)
      assert.equal(response.headers.get('location'), null)
    })

    test('a redirect_uri that is not registered goes back to the registered callback with redirect_uri_mismatch', async () => {
      const strict = await startGitHubStandIn({ redirectUris: [CALLBACK] })
      try {
        const url = new URL('/login/oauth/authorize', strict.url)
        url.search = new URLSearchParams({
          client_id: strict.clientId,
          redirect_uri: 'http://evil.example/cb',
          state: 's',
        }).toString()
        const back = await followAuthorization(url)
        assert.equal(`${back.origin}${back.pathname}`, CALLBACK)
        assert.equal(back.searchParams.get('error'), 'redirect_uri_mismatch')
      } finally {
        await strict.close()
      }
    })

    test('only S256 is accepted as code_challenge_method', async () => {
      const url = new URL('/login/oauth/authorize', standIn.url)
      url.search = new URLSearchParams({
        client_id: standIn.clientId,
        redirect_uri: CALLBACK,
        code_challenge: 'x',
        code_challenge_method: 'plain',
      }).toString()
      const response = await fetch(url, { redirect: 'manual' })
      assert.equal(response.status, 400)
    })
  })

  describe('token endpoint', () => {
    test('answers form-encoded unless asked for JSON, with comma-separated scopes', async () => {
      const code = await codeFrom(standIn, { scope: 'user:email read:org' })
      const response = await postToken(standIn, { code }, {})
      assert.match(String(response.headers.get('content-type')), /^application\/x-www-form-urlencoded/)
      const fields = new URLSearchParams(await response.text())
      assert.match(fields.get('access_token') ?? '', /^gho_[A-Za-z0-9]{36}$/)
      assert.equal(fields.get('scope'), 'user:email,read:org')
      assert.equal(fields.get('token_type'), 'bearer')
    })

    test('answers JSON to Accept: application/json', async () => {
      const response = await postToken(standIn, { code: await codeFrom(standIn) })
      assert.match(String(response.headers.get('content-type')), /^application\/json/)
      const body = (await response.json()) as Record<string, unknown>
      assert.equal(body['token_type'], 'bearer')
      assert.equal(body['scope'], 'user:email')
    })

    test('answers errors with HTTP 200 and an error field, in either format', async () => {
      const json = await postToken(standIn, { code: 'bogus' })
      assert.equal(json.status, 200)
      const body = (await json.json()) as Record<string, unknown>
      assert.equal(body['error'], 'bad_verification_code')
      assert.match(String(body['error_uri']), /^https:\/\/docs\.github\.com\//)
      const form = await postToken(standIn, { code: 'bogus' }, {})
      assert.equal(form.status, 200)
      assert.equal(new URLSearchParams(await form.text()).get('error'), 'bad_verification_code')
    })

    test('a code is single use', async () => {
      const code = await codeFrom(standIn)
      assert.ok(
        ((await (await postToken(standIn, { code })).json()) as Record<string, unknown>)['access_token'],
      )
      assert.equal(
        ((await (await postToken(standIn, { code })).json()) as Record<string, unknown>)['error'],
        'bad_verification_code',
      )
    })

    test('wrong client credentials are incorrect_client_credentials', async () => {
      const response = await postToken(standIn, { code: await codeFrom(standIn), client_secret: 'nope' })
      assert.equal(
        ((await response.json()) as Record<string, unknown>)['error'],
        'incorrect_client_credentials',
      )
    })

    test('a code bound to a PKCE challenge needs the matching verifier', async () => {
      const verifier = 'a-verifier-of-enough-length-for-the-test-0123456789'
      const params = { code_challenge: challengeOf(verifier), code_challenge_method: 'S256' }
      const wrong = await postToken(standIn, {
        code: await codeFrom(standIn, params),
        code_verifier: 'other',
      })
      assert.equal(((await wrong.json()) as Record<string, unknown>)['error'], 'bad_verification_code')
      const right = await postToken(standIn, {
        code: await codeFrom(standIn, params),
        code_verifier: verifier,
      })
      assert.ok(((await right.json()) as Record<string, unknown>)['access_token'])
    })

    test('a redirect_uri other than the authorization request’s is redirect_uri_mismatch', async () => {
      const response = await postToken(standIn, {
        code: await codeFrom(standIn),
        redirect_uri: 'http://127.0.0.1:9/other',
      })
      assert.equal(((await response.json()) as Record<string, unknown>)['error'], 'redirect_uri_mismatch')
    })
  })

  describe('expiring tokens (GitHub Apps)', () => {
    let apps: GitHubStandIn
    before(async () => {
      apps = await startGitHubStandIn({ expiringTokens: true })
    })
    after(() => apps.close())

    test('issue ghu_ tokens for 8 hours with a ghr_ refresh token', async () => {
      const body = await tokenFor(apps)
      assert.match(String(body['access_token']), /^ghu_/)
      assert.match(String(body['refresh_token']), /^ghr_/)
      assert.equal(body['expires_in'], 28_800)
      assert.equal(body['refresh_token_expires_in'], 15_897_600)
    })

    test('refresh tokens rotate: the spent one is bad_refresh_token', async () => {
      const first = await tokenFor(apps)
      const refresh = async (token: unknown) =>
        (await (
          await postToken(apps, { grant_type: 'refresh_token', refresh_token: String(token) })
        ).json()) as Record<string, unknown>
      const second = await refresh(first['refresh_token'])
      assert.match(String(second['refresh_token']), /^ghr_/)
      assert.notEqual(second['refresh_token'], first['refresh_token'])
      assert.equal((await refresh(first['refresh_token']))['error'], 'bad_refresh_token')
    })
  })

  describe('REST API', () => {
    test('refuses a request without User-Agent with 403', async () => {
      const token = String((await tokenFor(standIn))['access_token'])
      const response = await fetch(`${standIn.url}/user`, {
        headers: { authorization: `Bearer ${token}`, 'user-agent': '' },
      })
      assert.equal(response.status, 403)
      assert.match(await response.text(), /User-Agent/)
    })

    test('a bad token is 401 Bad credentials; both Bearer and token schemes work', async () => {
      const bad = await fetch(`${standIn.url}/user`, { headers: { authorization: 'Bearer nope', ...UA } })
      assert.equal(bad.status, 401)
      assert.equal(((await bad.json()) as Record<string, unknown>)['message'], 'Bad credentials')
      const token = String((await tokenFor(standIn))['access_token'])
      const legacy = await fetch(`${standIn.url}/user`, {
        headers: { authorization: `token ${token}`, ...UA },
      })
      assert.equal(legacy.status, 200)
      assert.equal(legacy.headers.get('x-oauth-scopes'), 'user:email')
    })

    test('/user has a numeric id and a null email when the email is private; /user/emails needs user:email', async () => {
      const token = String((await tokenFor(standIn))['access_token'])
      const profile = (await (
        await fetch(`${standIn.url}/user`, { headers: { authorization: `Bearer ${token}`, ...UA } })
      ).json()) as Record<string, unknown>
      assert.equal(profile['id'], 583231)
      assert.equal(profile['email'], null)
      const emails = await fetch(`${standIn.url}/user/emails`, {
        headers: { authorization: `Bearer ${token}`, ...UA },
      })
      assert.deepEqual(
        ((await emails.json()) as Array<Record<string, unknown>>).find((e) => e['primary'])?.['email'],
        'octocat@github.com',
      )
      const narrow = String((await tokenFor(standIn, 'read:user'))['access_token'])
      assert.equal(
        (await fetch(`${standIn.url}/user/emails`, { headers: { authorization: `Bearer ${narrow}`, ...UA } }))
          .status,
        404,
      )
    })

    test('/user/orgs needs an org scope and pages with a Link header', async () => {
      standIn.user = { ...standIn.user, orgs: Array.from({ length: 35 }, (_, i) => `org-${i}`) }
      const narrow = String((await tokenFor(standIn))['access_token'])
      const refused = await fetch(`${standIn.url}/user/orgs`, {
        headers: { authorization: `Bearer ${narrow}`, ...UA },
      })
      assert.equal(refused.status, 403)
      const token = String((await tokenFor(standIn, 'read:org'))['access_token'])
      const first = await fetch(`${standIn.url}/user/orgs`, {
        headers: { authorization: `Bearer ${token}`, ...UA },
      })
      assert.equal(((await first.json()) as unknown[]).length, 30)
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1]
      assert.ok(next)
      const second = await fetch(next, { headers: { authorization: `Bearer ${token}`, ...UA } })
      assert.equal(((await second.json()) as unknown[]).length, 5)
      assert.equal(second.headers.get('link'), null)
    })

    test('rate limited: 403 with x-ratelimit-remaining: 0', async () => {
      const token = String((await tokenFor(standIn))['access_token'])
      standIn.rateLimited = true
      const response = await fetch(`${standIn.url}/user`, {
        headers: { authorization: `Bearer ${token}`, ...UA },
      })
      assert.equal(response.status, 403)
      assert.equal(response.headers.get('x-ratelimit-remaining'), '0')
    })

    test('DELETE /applications/{client_id}/token revokes with the app’s Basic credentials; unknown tokens are 404', async () => {
      const token = String((await tokenFor(standIn))['access_token'])
      const revoke = (credentials: string) =>
        fetch(`${standIn.url}/applications/${standIn.clientId}/token`, {
          method: 'DELETE',
          headers: {
            authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
            'content-type': 'application/json',
            ...UA,
          },
          body: JSON.stringify({ access_token: token }),
        })
      assert.equal((await revoke(`${standIn.clientId}:wrong`)).status, 404)
      assert.equal((await revoke(`${standIn.clientId}:${standIn.clientSecret}`)).status, 204)
      assert.equal(
        (await fetch(`${standIn.url}/user`, { headers: { authorization: `Bearer ${token}`, ...UA } })).status,
        401,
      )
      assert.equal((await revoke(`${standIn.clientId}:${standIn.clientSecret}`)).status, 404)
    })

    test('GitHub Enterprise mode serves the API under /api/v3', async () => {
      const enterprise = await startGitHubStandIn({ enterprise: true })
      try {
        const token = String((await tokenFor(enterprise))['access_token'])
        assert.equal(
          (await fetch(`${enterprise.apiUrl}/user`, { headers: { authorization: `Bearer ${token}`, ...UA } }))
            .status,
          200,
        )
        assert.equal(
          (await fetch(`${enterprise.url}/user`, { headers: { authorization: `Bearer ${token}`, ...UA } }))
            .status,
          404,
        )
      } finally {
        await enterprise.close()
      }
    })
  })

  describe('failure switches', () => {
    test('server-error answers 503 with an HTML page until healed', async () => {
      standIn.fail('token', 'server-error')
      const response = await postToken(standIn, { code: 'x' })
      assert.equal(response.status, 503)
      assert.match(String(response.headers.get('content-type')), /^text\/html/)
      standIn.heal()
      assert.equal((await postToken(standIn, { code: 'x' })).status, 200)
    })

    test('malformed answers 200 with HTML where JSON was due', async () => {
      standIn.fail('user', 'malformed')
      const response = await fetch(`${standIn.url}/user`, { headers: UA })
      assert.equal(response.status, 200)
      await assert.rejects(response.json())
    })

    test('oauth-error at the token endpoint is GitHub’s 200-with-error; at authorize a redirect with an error', async () => {
      const code = await codeFrom(standIn)
      standIn.fail('token', 'oauth-error')
      const response = await postToken(standIn, { code })
      assert.equal(response.status, 200)
      assert.ok(((await response.json()) as Record<string, unknown>)['error'])
      standIn.fail('authorize', 'oauth-error')
      const url = new URL('/login/oauth/authorize', standIn.url)
      url.search = new URLSearchParams({
        client_id: standIn.clientId,
        redirect_uri: CALLBACK,
        state: 's',
      }).toString()
      assert.ok((await followAuthorization(url)).searchParams.get('error'))
    })

    test('slow answers only after slowMs', async () => {
      standIn.fail('user', 'slow')
      const started = Date.now()
      const response = await fetch(`${standIn.url}/user`, { headers: UA })
      assert.ok(Date.now() - started >= 280)
      assert.equal(response.status, 401)
    })

    test('close() does not wait for a pending slow answer', async () => {
      const slow = await startGitHubStandIn({ slowMs: 60_000 })
      slow.fail('token', 'slow')
      const pending = postToken(slow, { code: 'x' }).catch((error: unknown) => error)
      await new Promise((resolve) => setTimeout(resolve, 50))
      const started = Date.now()
      await slow.close()
      assert.ok(Date.now() - started < 1_000)
      assert.ok((await pending) instanceof Error)
    })
  })

  test('records every request with its endpoint, headers and parsed body', async () => {
    await postToken(standIn, { code: 'recorded' })
    const [request] = standIn.requestsTo('token')
    assert.equal(request?.method, 'POST')
    assert.equal(request?.path, '/login/oauth/access_token')
    assert.equal(request?.body['code'], 'recorded')
    assert.equal(request?.headers.accept, 'application/json')
    assert.equal(request?.origin, standIn.url)
  })
})
