import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { followAuthorization, startAtlassianStandIn } from '../src/stand-ins/atlassian.js'
import { GitHubStandIn } from '../src/stand-ins/github.js'
import { startSalesforceStandIn } from '../src/stand-ins/salesforce.js'

/**
 * Behaviours the stand-ins were found lenient or wrong about, each following the provider's own
 * documentation (cited at the stand-in's code).
 */
describe('stand-ins follow the real services', () => {
  test('every quirky stand-in matches a registered redirect URI exactly: a trailing slash, another port, path or case is refused', async () => {
    const callback = 'http://127.0.0.1:8000/cb'
    const misses = [
      'http://127.0.0.1:8000/cb/',
      'http://127.0.0.1:8001/cb',
      'http://127.0.0.1:8000/cb/more',
      'http://127.0.0.1:8000/CB',
      'http://127.0.0.1:8000/cb?x=1',
    ]
    const github = await new GitHubStandIn({ redirectUris: [callback] }).start()
    const atlassian = await startAtlassianStandIn({ redirectUris: [callback] })
    const salesforce = await startSalesforceStandIn({ redirectUris: [callback] })
    try {
      for (const miss of misses) {
        const urls = [
          new URL(
            `/login/oauth/authorize?${new URLSearchParams({ client_id: github.clientId, redirect_uri: miss, state: 's' })}`,
            github.url,
          ),
          new URL(
            `/authorize?${new URLSearchParams({ audience: 'api.atlassian.com', client_id: atlassian.clientId, redirect_uri: miss, state: 's', response_type: 'code', scope: 'read:me' })}`,
            atlassian.url,
          ),
          new URL(
            `/services/oauth2/authorize?${new URLSearchParams({ client_id: salesforce.clientId, redirect_uri: miss, state: 's', response_type: 'code' })}`,
            salesforce.url,
          ),
        ]
        for (const url of urls) {
          const response = await fetch(url, { redirect: 'manual' })
          await response.body?.cancel()
          const location = response.headers.get('location') ?? ''
          assert.ok(
            !location.startsWith(miss) || location.startsWith(callback),
            `${url.host}: ${miss} -> ${response.status} ${location}`,
          )
          assert.doesNotMatch(location, /[?&]code=/, `${url.pathname}: no code for ${miss}`)
        }
      }
    } finally {
      await github.close()
      await atlassian.close()
      await salesforce.close()
    }
  })

  test('Atlassian does not require PKCE: a login without code_challenge gets a code that redeems without a verifier', async () => {
    const callback = 'http://127.0.0.1:8000/atlassian/callback'
    const standIn = await startAtlassianStandIn({ redirectUris: [callback] })
    try {
      const url = new URL('/authorize', standIn.url)
      url.search = new URLSearchParams({
        audience: 'api.atlassian.com',
        client_id: standIn.clientId,
        scope: 'read:me',
        redirect_uri: callback,
        state: 's',
        response_type: 'code',
        prompt: 'consent',
      }).toString()
      const code = (await followAuthorization(url)).searchParams.get('code')
      assert.ok(code)
      const response = await fetch(`${standIn.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'authorization_code',
          client_id: standIn.clientId,
          client_secret: standIn.clientSecret,
          code,
          redirect_uri: callback,
        }),
      })
      assert.equal(response.status, 200)
    } finally {
      await standIn.close()
    }
  })

  test('GitHub answers a secondary rate limit on /user/emails and /user/orgs: 403 with retry-after and its message', async () => {
    const github = await new GitHubStandIn().start()
    try {
      github.secondaryRateLimited.add('emails')
      const response = await fetch(`${github.apiUrl}/user/emails`, {
        headers: { authorization: 'Bearer whatever', 'user-agent': 'test' },
      })
      assert.equal(response.status, 403)
      assert.equal(response.headers.get('retry-after'), '60')
      assert.match(String(((await response.json()) as { message?: string }).message), /secondary rate limit/)
    } finally {
      await github.close()
    }
  })
})
