import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  UpstreamIdentityChangedError,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
} from '../src/index.js'
import { OidcClient } from '../src/upstream/oidc-client.js'
import { type ScriptedOp, startScriptedOp } from './helpers/scripted-op.js'

/**
 * The adapter from oauth4webapi's errors to our closed upstream set (`oauth4webapi-errors.ts`),
 * seen through `OidcClient.userInfoClaims`: a dead token, a scope we did not ask for, an outage
 * and an answer about another user each become the error the plugin knows how to answer.
 */
let op: ScriptedOp
before(async () => {
  op = await startScriptedOp()
})
after(() => op.close())

/** An ID token as kept with a session (validated when received; here only decoded). */
const idToken = `e30.${Buffer.from(JSON.stringify({ sub: 'user-1' })).toString('base64url')}.sig`
const tokens = { accessToken: 'the-access-token', idToken }

function client(): OidcClient {
  return new OidcClient({
    provider: 'oidc',
    issuer: op.issuer,
    clientId: 'client',
    clientSecret: 'secret',
    scope: 'openid',
  })
}

async function userInfoFails(answer: ScriptedOp['userinfoAnswer'], check: (error: unknown) => boolean) {
  op.userinfoAnswer = answer
  try {
    await assert.rejects(client().userInfoClaims(tokens), (error: unknown) => {
      assert.ok(check(error), String(error))
      assert.ok(!String(error).includes('the-access-token'), 'the token is not in the message')
      return true
    })
  } finally {
    op.userinfoAnswer = undefined
  }
}

describe('oauth4webapi errors become our upstream errors', () => {
  test('user info about the ID token subject is returned', async () => {
    assert.equal((await client().userInfoClaims(tokens))['sub'], 'user-1')
  })

  test('a dead access token (401, with or without a challenge) is UpstreamOAuthError invalid_token', async () => {
    const deadToken = (error: unknown) =>
      error instanceof UpstreamOAuthError && error.code === 'invalid_token'
    await userInfoFails(
      { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: '' },
      deadToken,
    )
    await userInfoFails({ status: 401, body: '{"error":"invalid_token"}' }, deadToken)
  })

  test('a 403 for a missing scope is a configuration error naming the scope, not a dead token', async () => {
    await userInfoFails(
      { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' }, body: '' },
      (error) =>
        error instanceof UpstreamResponseError && error.status === 403 && /missing scope/.test(error.message),
    )
  })

  test('a 5xx is UpstreamUnavailableError, a 404 UpstreamResponseError with its status', async () => {
    await userInfoFails(
      { status: 502, body: '' },
      (error) => error instanceof UpstreamUnavailableError && error.status === 502,
    )
    await userInfoFails(
      { status: 404, body: '{}' },
      (error) => error instanceof UpstreamResponseError && error.status === 404,
    )
  })

  test('user info about another subject is UpstreamIdentityChangedError', async () => {
    await userInfoFails(
      { status: 200, body: '{"sub":"someone-else"}' },
      (error) => error instanceof UpstreamIdentityChangedError,
    )
  })

  test('user info that is not JSON is UpstreamResponseError', async () => {
    await userInfoFails(
      { status: 200, body: '<html>login</html>' },
      (error) => error instanceof UpstreamResponseError && /not JSON/.test(error.message),
    )
  })
})
