import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { UpstreamResponseError, userFromOidcClaims } from '../src/index.js'

describe('standard claims to our user (OIDC Core §5.1)', () => {
  test('sub is the user id, preferred_username the username, and the raw claims are kept', () => {
    const claims = {
      sub: 'u-1',
      preferred_username: 'ada',
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada L.',
    }
    assert.deepEqual(userFromOidcClaims(claims, { provider: 'oidc' }), {
      userId: 'u-1',
      username: 'ada',
      email: 'ada@example.com',
      name: 'Ada L.',
      organizations: undefined,
      rawProfile: claims,
    })
  })

  test('without preferred_username the email is the username, without both the sub', () => {
    assert.equal(
      userFromOidcClaims({ sub: 'u-1', email: 'a@example.com' }, { provider: 'oidc' }).username,
      'a@example.com',
    )
    assert.equal(userFromOidcClaims({ sub: 'u-1' }, { provider: 'oidc' }).username, 'u-1')
  })

  test('an email the provider calls unverified is dropped, also as username', () => {
    const user = userFromOidcClaims(
      { sub: 'u-1', email: 'boss@example.com', email_verified: false },
      { provider: 'oidc' },
    )
    assert.equal(user.email, undefined)
    assert.equal(user.username, 'u-1')
    assert.equal(user.rawProfile['email'], 'boss@example.com', 'still visible in the raw profile')
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

  test('claims without a sub are refused', () => {
    assert.throws(
      () => userFromOidcClaims({ email: 'a@example.com' }, { provider: 'oidc' }),
      UpstreamResponseError,
    )
    assert.throws(() => userFromOidcClaims({ sub: '' }, { provider: 'oidc' }), /has no sub/)
  })
})
