import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { type OidcProviderStandIn, startOidcProviderStandIn } from '../src/stand-ins/oidc-provider.js'
import { followToCallback } from '../src/stand-ins/standard-shared.js'

const REDIRECT = 'http://localhost:8000/keycloak/callback'
let keycloak: OidcProviderStandIn

before(async () => {
  keycloak = await startOidcProviderStandIn({ realm: 'dev', redirectUris: [REDIRECT] })
})
after(() => keycloak.close())

const endpoint = (name: string): string => `${keycloak.issuer}/protocol/openid-connect/${name}`
const basic = (): string =>
  `Basic ${Buffer.from(`${keycloak.clientId}:${keycloak.clientSecret}`).toString('base64')}`

async function post(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = { authorization: basic() },
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  })
  const text = await response.text()
  const json = response.headers.get('content-type')?.includes('json') && text
  return { status: response.status, body: (json ? JSON.parse(text) : {}) as Record<string, unknown> }
}

async function login(params: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url')
  const url = new URL(endpoint('auth'))
  url.search = new URLSearchParams({
    client_id: keycloak.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'st',
    nonce: 'n-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }).toString()
  const back = await followToCallback(url)
  return { back, code: back.searchParams.get('code') ?? '', verifier }
}

async function tokens() {
  const { code, verifier } = await login()
  const { body } = await post(endpoint('token'), {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  })
  return body
}

describe('oidc-provider mounted as a Keycloak realm', () => {
  test('discovery lives at {server}/realms/{realm}/.well-known/openid-configuration with Keycloak’s endpoint paths', async () => {
    const response = await fetch(`${keycloak.url}/realms/dev/.well-known/openid-configuration`)
    assert.equal(response.status, 200)
    const doc = (await response.json()) as Record<string, unknown>
    assert.equal(doc['issuer'], `${keycloak.url}/realms/dev`)
    assert.equal(doc['authorization_endpoint'], endpoint('auth'))
    assert.equal(doc['token_endpoint'], endpoint('token'))
    assert.equal(doc['userinfo_endpoint'], endpoint('userinfo'))
    assert.equal(doc['revocation_endpoint'], endpoint('revoke'))
    assert.equal(doc['jwks_uri'], endpoint('certs'))
    assert.deepEqual(doc['code_challenge_methods_supported'], ['S256'])
  })

  test('a realm that does not exist is 404 “Realm does not exist”', async () => {
    for (const path of [
      '/realms/prod/.well-known/openid-configuration',
      '/realms/prod/protocol/openid-connect/token',
      '/auth/realms/dev',
    ]) {
      const response = await fetch(`${keycloak.url}${path}`)
      assert.equal(response.status, 404, path)
      assert.deepEqual(await response.json(), { error: 'Realm does not exist' })
    }
  })

  test('the test user logs in and consents on their own; the client gets code, state and iss', async () => {
    const { back, code } = await login()
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT)
    assert.ok(code)
    assert.equal(back.searchParams.get('state'), 'st')
    assert.equal(back.searchParams.get('iss'), keycloak.issuer)
  })

  test('a login step without its interaction cookie is an error page, not a crash', async () => {
    const response = await fetch(`${keycloak.issuer}/login-actions/authenticate/made-up`)
    assert.equal(response.status, 400)
    assert.match(await response.text(), /timed out/)
  })

  test('PKCE is required: a request without a challenge is refused back to the client', async () => {
    const { back } = await login({ code_challenge: '', code_challenge_method: '' })
    assert.equal(back.searchParams.get('error'), 'invalid_request')
    assert.equal(back.searchParams.get('code'), null)
  })

  test('denied consent sends access_denied back and issues no code', async () => {
    keycloak.denyConsent = true
    try {
      const { back } = await login()
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.equal(back.searchParams.get('code'), null)
    } finally {
      keycloak.denyConsent = false
    }
  })

  test('a code gives a refresh token without offline_access and an ID token with the profile claims', async () => {
    const body = await tokens()
    assert.ok(body['access_token'])
    assert.ok(body['refresh_token'], 'Keycloak issues refresh tokens in the standard flow')
    assert.equal(body['expires_in'], 300)
    const jwks = (await (await fetch(endpoint('certs'))).json()) as { keys: [] }
    const { payload } = await jwtVerify(String(body['id_token']), createLocalJWKSet(jwks), {
      issuer: keycloak.issuer,
      audience: keycloak.clientId,
    })
    assert.equal(payload.sub, keycloak.user.sub)
    assert.equal(payload['preferred_username'], 'ada')
    assert.equal(payload['nonce'], 'n-1')
  })

  test('a wrong verifier is invalid_grant', async () => {
    const { code } = await login()
    const { status, body } = await post(endpoint('token'), {
      grant_type: 'authorization_code',
      code,
      code_verifier: randomBytes(32).toString('base64url'),
      redirect_uri: REDIRECT,
    })
    assert.equal(status, 400)
    assert.equal(body['error'], 'invalid_grant')
  })

  test('user info answers the standard claims for the access token', async () => {
    const body = await tokens()
    const response = await fetch(endpoint('userinfo'), {
      headers: { authorization: `Bearer ${body['access_token']}` },
    })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { ...keycloak.user })
  })

  test('refresh rotates only when told to; a rotated-out refresh token is invalid_grant', async () => {
    const body = await tokens()
    const refresh = (token: unknown) =>
      post(endpoint('token'), { grant_type: 'refresh_token', refresh_token: String(token) })
    const same = await refresh(body['refresh_token'])
    assert.equal(same.status, 200)
    assert.equal(same.body['refresh_token'], body['refresh_token'])
    keycloak.rotateRefreshTokens = true
    try {
      const rotated = await refresh(body['refresh_token'])
      assert.notEqual(rotated.body['refresh_token'], body['refresh_token'])
      const old = await refresh(body['refresh_token'])
      assert.equal(old.status, 400)
      assert.equal(old.body['error'], 'invalid_grant')
    } finally {
      keycloak.rotateRefreshTokens = false
    }
  })

  test('revoking the refresh token ends the grant (RFC 7009)', async () => {
    const body = await tokens()
    const revoked = await post(endpoint('revoke'), {
      token: String(body['refresh_token']),
      token_type_hint: 'refresh_token',
    })
    assert.equal(revoked.status, 200)
    const info = await fetch(endpoint('userinfo'), {
      headers: { authorization: `Bearer ${body['access_token']}` },
    })
    assert.equal(info.status, 401)
  })

  test('revokeAll() ends every session, as an administrator can', async () => {
    const body = await tokens()
    keycloak.revokeAll()
    const refreshed = await post(endpoint('token'), {
      grant_type: 'refresh_token',
      refresh_token: String(body['refresh_token']),
    })
    assert.equal(refreshed.status, 400)
    assert.equal(refreshed.body['error'], 'invalid_grant')
  })

  test('a client registered for client_secret_post is refused when it sends Basic', async () => {
    const strict = await startOidcProviderStandIn({ tokenEndpointAuthMethod: 'client_secret_post' })
    try {
      const response = await fetch(`${strict.issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${strict.clientId}:${strict.clientSecret}`).toString('base64')}`,
        },
        body: 'grant_type=refresh_token&refresh_token=x',
      })
      assert.equal(response.status, 401)
      assert.equal(((await response.json()) as Record<string, unknown>)['error'], 'invalid_client')
    } finally {
      await strict.close()
    }
  })

  test('failure switches break the chosen endpoint; requests and their forms are recorded', async () => {
    keycloak.failures.set('token', { kind: 'status', status: 503 }, 1)
    const { code, verifier } = await login()
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }
    assert.equal((await post(endpoint('token'), form)).status, 503)
    assert.equal((await post(endpoint('token'), form)).status, 200)
    const recorded = keycloak.requestsTo('token').at(-1)
    assert.equal(recorded?.form?.['code_verifier'], verifier)
    assert.match(String(recorded?.headers.authorization), /^Basic /)
    const initial = keycloak.requestsTo('authorize').filter((request) => request.path.endsWith('/auth'))
    assert.equal(initial.at(-1)?.query['code_challenge_method'], 'S256')
  })
})
