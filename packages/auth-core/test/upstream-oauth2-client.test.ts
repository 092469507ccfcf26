import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type GoogleStandIn, startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { UpstreamOAuthError, UpstreamResponseError, UpstreamUnavailableError } from '../src/index.js'
import { OAuth2Client, type OAuth2ClientOptions } from '../src/upstream/oauth2-client.js'

let idp: GoogleStandIn
let client: OAuth2Client
let clientOptions: OAuth2ClientOptions
before(async () => {
  idp = await startGoogleStandIn()
  clientOptions = {
    provider: 'google',
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    authUrl: idp.endpoints.auth_url,
    tokenUrl: idp.endpoints.token_url,
    revokeUrl: idp.endpoints.revoke_url,
    timeoutMs: 1_000,
  }
  client = new OAuth2Client(clientOptions)
})
after(() => idp.close())

const refreshTokens = { accessToken: 'ya29.a0-unknown', refreshToken: '1//0-unknown' }

describe('the shared OAuth 2.0 client: failures map to the closed upstream error set', () => {
  test('a token endpoint answering 5xx is UpstreamUnavailableError with the status', async () => {
    idp.failures.set('token', { kind: 'status', status: 502 }, 1)
    await assert.rejects(client.refresh(refreshTokens), (error: unknown) => {
      assert.ok(error instanceof UpstreamUnavailableError)
      assert.equal(error.status, 502)
      return true
    })
  })

  test('a token endpoint that does not answer in time is UpstreamUnavailableError, keeping the cause', async () => {
    idp.failures.set('token', { kind: 'slow', delayMs: 10_000 }, 1)
    await assert.rejects(client.refresh(refreshTokens), (error: unknown) => {
      assert.ok(error instanceof UpstreamUnavailableError)
      assert.match(error.message, /did not answer in time/)
      assert.ok(error.cause)
      return true
    })
  })

  test('a dropped connection is UpstreamUnavailableError', async () => {
    idp.failures.set('token', { kind: 'drop' }, 1)
    await assert.rejects(client.refresh(refreshTokens), /could not be reached/)
  })

  test('an HTML answer where JSON belongs is UpstreamResponseError', async () => {
    idp.failures.set('token', { kind: 'malformed' }, 1)
    await assert.rejects(client.refresh(refreshTokens), (error: unknown) => {
      assert.ok(error instanceof UpstreamResponseError)
      assert.match(error.message, /not JSON \(text\/html/)
      return true
    })
  })

  test('an OAuth error is UpstreamOAuthError even when it comes with HTTP 200', async () => {
    idp.failures.set('token', { kind: 'oauth-error', error: 'bad_verification_code', status: 200 }, 1)
    await assert.rejects(client.refresh(refreshTokens), (error: unknown) => {
      assert.ok(error instanceof UpstreamOAuthError)
      assert.equal(error.code, 'bad_verification_code')
      return true
    })
  })

  test('no token, code or secret appears in any of these messages', async () => {
    idp.failures.set('token', { kind: 'oauth-error', error: 'invalid_grant', description: 'Bad Request' }, 1)
    const error = await client
      .exchangeCode('4/0A-secret-code', 'the-verifier', 'http://localhost:8000/google/callback')
      .catch((caught: unknown) => caught)
    assert.ok(error instanceof UpstreamOAuthError)
    for (const secret of ['4/0A-secret-code', 'the-verifier', idp.clientSecret])
      assert.ok(!error.message.includes(secret))
  })

  test('revocation: 200 is success, an error body is UpstreamOAuthError, anything else UpstreamResponseError', async () => {
    await assert.rejects(client.revokeToken('1//0-unknown', 'refresh_token'), (error: unknown) => {
      assert.ok(error instanceof UpstreamOAuthError)
      assert.equal(error.code, 'invalid_token')
      return true
    })
    idp.failures.set('revoke', { kind: 'status', status: 404 }, 1)
    await assert.rejects(client.revokeToken('1//0-unknown', 'refresh_token'), (error: unknown) => {
      assert.ok(error instanceof UpstreamResponseError)
      assert.equal(error.status, 404)
      return true
    })
    idp.failures.set('revoke', { kind: 'status', status: 503 }, 1)
    await assert.rejects(client.revoke(refreshTokens), UpstreamUnavailableError)
  })

  test('revocation without a revocation URL sends nothing', async () => {
    const quiet = new OAuth2Client({ ...clientOptions, revokeUrl: undefined })
    const before = idp.requestsTo('revoke').length
    await quiet.revoke(refreshTokens)
    assert.equal(idp.requestsTo('revoke').length, before)
  })
})
