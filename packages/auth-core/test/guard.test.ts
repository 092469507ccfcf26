import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { inspect } from 'node:util'
import type { LightMyRequestResponse } from 'fastify'
import { randomToken, sha256 } from '../src/crypto.js'
import { ACCESS_TOKEN_PREFIX } from '../src/defaults.js'
import { createUserContext } from '../src/user-context.js'
import { Harness, PRM_URL, RESOURCE } from './helpers/harness.js'

const CHALLENGE = `Bearer resource_metadata="${PRM_URL}"`

function assertInvalidToken(response: LightMyRequestResponse, description?: RegExp): void {
  assert.equal(response.statusCode, 401)
  const challenge = String(response.headers['www-authenticate'])
  assert.ok(challenge.startsWith(`${CHALLENGE}, error="invalid_token"`), challenge)
  assert.equal(response.json().error, 'invalid_token')
  if (description) assert.match(response.json().error_description, description)
}

describe('the bearer guard', () => {
  let h: Harness
  before(async () => {
    h = await Harness.start()
  })
  after(async () => {
    await h.close()
  })

  test('no token: 401 with only resource_metadata in the challenge (no error code)', async () => {
    const response = await h.call()
    assert.equal(response.statusCode, 401)
    assert.equal(response.headers['www-authenticate'], CHALLENGE)
  })

  test('another scheme (Basic) counts as no token', async () => {
    const response = await h.call(undefined, '/mcp', { authorization: 'Basic YTpi' })
    assert.equal(response.statusCode, 401)
    assert.equal(response.headers['www-authenticate'], CHALLENGE)
  })

  test('an unknown token: 401 invalid_token', async () => {
    assertInvalidToken(await h.call(randomToken(ACCESS_TOKEN_PREFIX)), /invalid or revoked/)
  })

  test('a malformed Authorization header: 401 invalid_token', async () => {
    assertInvalidToken(await h.call(undefined, '/mcp', { authorization: 'Bearer two words' }), /malformed/)
    assertInvalidToken(await h.call(undefined, '/mcp', { authorization: 'Bearer' }), /malformed/)
  })

  test("an upstream provider's token is refused (no token passthrough)", async () => {
    const issued = await h.issue()
    const upstreamToken = h.idp.grants.issuedAccessTokens.at(-1) ?? ''
    assert.ok(upstreamToken)
    assertInvalidToken(await h.call(upstreamToken), /not issued by this server/)
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
  })

  test('a refresh token is not an access token', async () => {
    const issued = await h.issue()
    assertInvalidToken(await h.call(issued.refreshToken))
  })

  test('an expired token: 401 invalid_token (fake clock)', async () => {
    const issued = await h.issue()
    h.clock.advance(3_599_000)
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
    h.clock.advance(1_000)
    assertInvalidToken(await h.call(issued.accessToken), /expired/)
  })

  test('a token for another resource (audience) is refused', async () => {
    const issued = await h.issue()
    const record = await h.store.getToken(sha256(issued.accessToken))
    assert.ok(record)
    const foreign = randomToken(ACCESS_TOKEN_PREFIX)
    await h.store.saveTokens([{ ...record, tokenHash: sha256(foreign), resource: 'https://other.test/mcp' }])
    assertInvalidToken(await h.call(foreign), /another resource/)
  })

  test('a revoked token is refused at once: validity is never cached', async () => {
    const issued = await h.issue()
    assert.equal((await h.call(issued.accessToken)).statusCode, 200)
    await h.store.revokeToken(sha256(issued.accessToken))
    assertInvalidToken(await h.call(issued.accessToken))
  })

  test('a token in the query string is refused, even next to a valid header', async () => {
    const issued = await h.issue()
    const queryOnly = await h.call(undefined, `/mcp?access_token=${issued.accessToken}`)
    assert.equal(queryOnly.statusCode, 401)
    assert.match(String(queryOnly.headers['www-authenticate']), /error="invalid_request"/)
    assert.equal(
      (await h.call(issued.accessToken, `/mcp?access_token=${issued.accessToken}`)).statusCode,
      401,
    )
  })

  test('request.user carries the user, provider, scopes and client; the upstream token stays out of JSON and inspect', async () => {
    const issued = await h.issue()
    const response = await h.call(issued.accessToken)
    assert.equal(response.statusCode, 200)
    const { user, upstreamToken } = response.json()
    assert.deepEqual(
      { ...user, rawProfile: undefined },
      {
        userId: '1001',
        username: 'alice',
        email: 'alice@example.com',
        name: 'Alice Example',
        provider: 'github',
        scopes: ['mxcp:access'],
        clientId: issued.client.clientId,
        rawProfile: undefined,
        // The profile's top-level claims, as strings, for get_user_attribute() in SQL.
        attributes: { sub: '1001', login: 'alice', email: 'alice@example.com', name: 'Alice Example' },
        anonymous: false,
      },
    )
    assert.equal(user.upstreamToken, undefined, 'not in JSON')
    assert.ok(String(upstreamToken).startsWith('fake_at_'), 'but readable by the route')
  })

  test('an authenticated request logs username, user id, provider, name and email at info; no token in any log line', async () => {
    const issued = await h.issue()
    await h.call(issued.accessToken)
    const line = h.logLines().findLast((entry) => entry['msg'] === 'authenticated request')
    assert.deepEqual(line?.['user'], {
      username: 'alice',
      userId: '1001',
      provider: 'github',
      name: 'Alice Example',
      email: 'alice@example.com',
    })
    assert.equal(line?.['level'], 30)
    const secrets = [
      issued.accessToken,
      issued.refreshToken ?? '',
      ...h.idp.grants.issuedAccessTokens,
      ...h.idp.grants.issuedRefreshTokens,
    ]
    for (const secret of secrets) {
      assert.equal(h.logs.filter((entry) => entry.includes(secret)).length, 0, 'a token reached the log')
    }
  })

  test('the 401 challenge points at the path-inserted protected resource metadata', async () => {
    const response = await h.call()
    const url = /resource_metadata="([^"]+)"/.exec(String(response.headers['www-authenticate']))?.[1] ?? ''
    const metadata = await h.app.inject({ method: 'GET', url: new URL(url).pathname })
    assert.equal(metadata.json().resource, RESOURCE)
  })
})

describe('the guard with required_scopes', () => {
  let h: Harness
  before(async () => {
    // The fake provider's user is alice (id 1001); only she is granted mxcp:admin.
    h = await Harness.start({
      auth: {
        authorization: {
          required_scopes: ['mxcp:access', 'mxcp:admin'],
          scope_grants: { 'mxcp:admin': { users: ['1001'] } },
        },
      },
    })
  })
  after(async () => {
    await h.close()
  })

  test('a token without every required scope gets 403 insufficient_scope naming the scopes', async () => {
    const client = await h.register({ scope: 'mxcp:access' })
    const login = await h.login(client.clientId, { overrides: { scope: 'mxcp:access' } })
    const token = (await h.redeem(client, login)).json().access_token
    const response = await h.call(token)
    assert.equal(response.statusCode, 403)
    const challenge = String(response.headers['www-authenticate'])
    assert.ok(challenge.startsWith(`${CHALLENGE}, error="insufficient_scope"`), challenge)
    assert.match(challenge, /scope="mxcp:access mxcp:admin"/)
    assert.equal(response.json().error, 'insufficient_scope')
  })

  test('a token with all required scopes passes', async () => {
    const client = await h.register()
    assert.equal(
      client.body['scope'],
      'mxcp:access mxcp:admin',
      'a client registered without scope gets the required ones',
    )
    const login = await h.login(client.clientId, { overrides: { scope: undefined } })
    const token = (await h.redeem(client, login)).json().access_token
    assert.equal((await h.call(token)).statusCode, 200)
  })

  test('the 401 challenge names the required scopes', async () => {
    const response = await h.call()
    assert.equal(response.headers['www-authenticate'], `${CHALLENGE}, scope="mxcp:access mxcp:admin"`)
  })
})

describe('the user context', () => {
  test('JSON and util.inspect never show the upstream token; the property still reads it', () => {
    const context = createUserContext(
      {
        userId: '1',
        username: 'u',
        email: undefined,
        name: undefined,
        provider: 'github',
        scopes: [],
        clientId: 'c',
        rawProfile: {},
      },
      'secret-upstream-token',
    )
    assert.doesNotMatch(inspect(context), /secret-upstream-token/)
    assert.doesNotMatch(JSON.stringify(context), /secret-upstream-token/)
    assert.equal(context.upstreamToken, 'secret-upstream-token')
  })
})
