import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { UpstreamResponseError } from '../src/index.js'
import { userFromOidcClaims } from '../src/upstream/oidc-claims.js'

describe('standard claims to our user (OIDC Core §5.1)', () => {
  test('sub is the user id and, by default, the username; the issuer is kept with it', () => {
    const claims = {
      sub: 'u-1',
      preferred_username: 'ada',
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada L.',
    }
    assert.deepEqual(userFromOidcClaims(claims, { provider: 'oidc', issuer: 'https://sso.example.com' }), {
      userId: 'u-1',
      username: 'u-1',
      email: 'ada@example.com',
      name: 'Ada L.',
      organizations: undefined,
      issuer: 'https://sso.example.com',
      rawProfile: claims,
    })
  })

  test('a configured username claim is the username; without it, the sub', () => {
    const mapping = { provider: 'oidc', usernameClaims: ['preferred_username'] }
    assert.equal(userFromOidcClaims({ sub: 'u-1', preferred_username: 'ada' }, mapping).username, 'ada')
    assert.equal(userFromOidcClaims({ sub: 'u-1' }, mapping).username, 'u-1')
  })

  test('an email not verified (false, "false" or no flag at all) is no email, nor a username', () => {
    for (const flag of [false, 'false', undefined, 1, 'yes']) {
      const user = userFromOidcClaims(
        { sub: 'u-1', email: 'boss@example.com', ...(flag === undefined ? {} : { email_verified: flag }) },
        { provider: 'oidc', usernameClaims: ['email'] },
      )
      assert.equal(user.email, undefined, `email_verified: ${String(flag)}`)
      assert.equal(user.username, 'u-1')
      assert.equal(user.rawProfile['email'], undefined, 'nor kept in the profile')
    }
    const user = userFromOidcClaims(
      { sub: 'u-1', email: 'ada@example.com', email_verified: 'true' },
      { provider: 'oidc' },
    )
    assert.equal(user.email, 'ada@example.com', 'the string "true" some providers send counts')
  })

  test('only allowlisted claims are kept, each bounded in length', () => {
    const user = userFromOidcClaims(
      {
        sub: 'u',
        name: 'x'.repeat(50_000),
        picture: 'https://example.com/p.png',
        address: { street: 'a' },
        nickname: 'ada',
        groups: ['g', 'y'.repeat(1_000)],
      },
      { provider: 'oidc' },
    )
    assert.deepEqual(user.rawProfile, { sub: 'u', nickname: 'ada', groups: ['g'] })
    assert.equal(user.name, undefined, 'an over-long name is dropped, not cut')
  })

  test('the name is built from given and family names when there is no name', () => {
    assert.equal(
      userFromOidcClaims({ sub: 'u', given_name: 'Ada', family_name: 'Lovelace' }, { provider: 'oidc' }).name,
      'Ada Lovelace',
    )
    assert.equal(userFromOidcClaims({ sub: 'u' }, { provider: 'oidc' }).name, undefined)
  })

  test('a groups claim of strings becomes the organizations', () => {
    const user = userFromOidcClaims({ sub: 'u', groups: ['/staff', 42, 'admins'] }, { provider: 'keycloak' })
    assert.deepEqual(user.organizations, ['/staff', 'admins'])
  })

  test('claims without a sub, or with one over 255 characters, are refused', () => {
    assert.throws(
      () => userFromOidcClaims({ email: 'a@example.com' }, { provider: 'oidc' }),
      UpstreamResponseError,
    )
    assert.throws(() => userFromOidcClaims({ sub: '' }, { provider: 'oidc' }), /has no sub/)
    assert.throws(() => userFromOidcClaims({ sub: 's'.repeat(256) }, { provider: 'oidc' }), /over 255/)
  })
})
