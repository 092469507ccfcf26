import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type UpstreamProvider, UpstreamResponseError } from '@mxcp/auth-core'
import { sha256Base64Url } from '@mxcp/auth-core/testing'
import { type HostileOp, startHostileOp } from '@mxcp/testing/stand-ins/hostile-op'
import { createLocalJWKSet, exportJWK, jwtVerify } from 'jose'
import { oidc } from '../src/index.js'

const CALLBACK = 'http://localhost:8000/oidc/callback'

/** The authorization step at the hostile provider: it redirects at once with a code. */
async function codeFrom(upstream: UpstreamProvider): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url')
  const url = await upstream.authorizationUrl({
    state: 's',
    codeChallenge: sha256Base64Url(verifier),
    redirectUri: CALLBACK,
  })
  const response = await fetch(url, { redirect: 'manual' })
  await response.body?.cancel()
  return { code: new URL(response.headers.get('location') ?? '').searchParams.get('code') ?? '', verifier }
}

describe('the generic OIDC provider against a hostile OpenID Provider', () => {
  let op: HostileOp
  before(async () => {
    op = await startHostileOp()
  })
  after(() => op.close())

  test('private_key_jwt sends a signed assertion (iss and sub our client, aud the issuer) and no secret', async () => {
    op.reset()
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const upstream = oidc({
      client_id: op.clientId,
      issuer: op.issuer,
      token_endpoint_auth_method: 'private_key_jwt',
      private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      private_key_id: 'key-1',
    })
    const { code, verifier } = await codeFrom(upstream)
    await upstream.exchangeCode(code, verifier, CALLBACK)
    const [request] = op.requestsTo('token')
    assert.ok(request)
    assert.equal(request.headers.authorization, undefined)
    assert.equal(request.form['client_secret'], undefined)
    assert.equal(
      request.form['client_assertion_type'],
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    )
    const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'key-1' }] })
    const { payload, protectedHeader } = await jwtVerify(request.form['client_assertion'] ?? '', keys, {
      issuer: op.clientId,
      subject: op.clientId,
      audience: op.issuer,
    })
    assert.equal(protectedHeader.alg, 'ES256')
    assert.ok(payload.jti)
  })

  test('private_key_jwt without a key is refused at start-up', () => {
    assert.throws(
      () => oidc({ client_id: 'c', issuer: op.issuer, token_endpoint_auth_method: 'private_key_jwt' }),
      /missing oidc\.private_key/,
    )
  })

  test('a discovery endpoint on plain http off loopback is refused before anything is sent there', async () => {
    op.reset()
    op.behaviour.discovery = { userinfo_endpoint: 'http://idp.example/userinfo' }
    const upstream = oidc({ client_id: op.clientId, client_secret: op.clientSecret, issuer: op.issuer })
    await assert.rejects(
      upstream.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: CALLBACK }),
      (error: unknown) =>
        error instanceof UpstreamResponseError &&
        /userinfo_endpoint must be an https URL \(http is accepted on loopback only\)/.test(error.message),
    )
  })

  test('the username is username_claim when set, and the email only when verified', async () => {
    op.reset()
    op.behaviour.claims = {
      sub: 'u-7',
      preferred_username: 'ada',
      email: 'ada@example.com',
      email_verified: 'false',
    }
    const upstream = oidc({
      client_id: op.clientId,
      client_secret: op.clientSecret,
      issuer: op.issuer,
      username_claim: 'preferred_username',
    })
    const { code, verifier } = await codeFrom(upstream)
    const user = await upstream.userInfo(await upstream.exchangeCode(code, verifier, CALLBACK))
    assert.equal(user.userId, 'u-7')
    assert.equal(user.issuer, op.issuer)
    assert.equal(user.username, 'ada')
    assert.equal(user.email, undefined)
  })
})
