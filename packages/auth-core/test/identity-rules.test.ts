import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { allowlistRefusal } from '../src/access/allowlist.js'
import {
  asciiLowerCase,
  comparableDomain,
  emailDomain,
  sameEmail,
  sameName,
} from '../src/identity/identifiers.js'
import { isVerifiedEmail } from '../src/identity/verified-email.js'
import { type UpstreamUser, validateAuthConfig } from '../src/index.js'
import { chooseClientAuthMethod } from '../src/upstream/client-auth-method.js'

const user = (fields: Partial<UpstreamUser>): UpstreamUser => ({
  userId: 'u-1',
  username: 'ada',
  rawProfile: {},
  ...fields,
})
const authorization = (lists: Record<string, string[]>) =>
  validateAuthConfig({ authorization: lists }).authorization

describe('only a verified email is an email', () => {
  test('true and the string "true" are verified; false, "false", absent and anything else are not', () => {
    assert.equal(isVerifiedEmail(true), true)
    assert.equal(isVerifiedEmail('true'), true)
    for (const flag of [false, 'false', undefined, null, 1, 'TRUE', 'yes', {}])
      assert.equal(isVerifiedEmail(flag), false)
  })
})

describe('identifiers compare exactly (no Unicode folding)', () => {
  test('ASCII lower-casing leaves every non-ASCII letter alone', () => {
    assert.equal(asciiLowerCase('AdA'), 'ada')
    assert.equal(asciiLowerCase('\u212Aate'), '\u212Aate', 'the Kelvin sign stays what it is')
    assert.equal(asciiLowerCase('İ'), 'İ')
  })

  test('usernames match case-insensitively in ASCII only', () => {
    assert.equal(sameName('Kate', 'kate'), true)
    assert.equal(sameName('\u212Aate', 'kate'), false)
    assert.equal(sameName('ｋａｔｅ', 'kate'), false)
  })

  test('email domains compare lower-cased in ASCII, IDN domains as their A-label, local parts exactly', () => {
    assert.equal(emailDomain('ada@Example.COM'), 'example.com')
    assert.equal(emailDomain('ada@bücher.de'), 'xn--bcher-kva.de')
    assert.equal(comparableDomain('xn--bcher-kva.de'), 'xn--bcher-kva.de')
    assert.equal(emailDomain('ada@example\u212A.com'), undefined, 'a look-alike domain is no domain')
    assert.equal(emailDomain('ada@ｅxample.com'), undefined, 'a fullwidth letter is not normalised')
    assert.equal(sameEmail('Ada@EXAMPLE.com', 'Ada@example.com'), true)
    assert.equal(sameEmail('Ada@example.com', 'ada@example.com'), false)
  })

  test('allowed_users matches the user id exactly or the username in ASCII case, nothing else', () => {
    const list = authorization({ allowed_users: ['kate', 'id-42'] })
    assert.equal(allowlistRefusal(user({ username: 'KATE' }), list), undefined)
    assert.equal(allowlistRefusal(user({ userId: 'id-42', username: 'x' }), list), undefined)
    assert.match(
      String(allowlistRefusal(user({ userId: 'ID-42', username: 'x' }), list)),
      /not on this server/,
    )
    assert.match(String(allowlistRefusal(user({ username: '\u212Aate' }), list)), /not on this server/)
    assert.match(String(allowlistRefusal(user({ username: 'x', email: 'kate' }), list)), /not on this server/)
  })

  test('allowed_email_domains matches an IDN domain written either way, and no look-alike', () => {
    const list = authorization({ allowed_email_domains: ['bücher.de', '@Example.com'] })
    assert.equal(allowlistRefusal(user({ email: 'a@xn--bcher-kva.de' }), list), undefined)
    assert.equal(allowlistRefusal(user({ email: 'a@EXAMPLE.com' }), list), undefined)
    assert.ok(allowlistRefusal(user({ email: 'a@example\u212A.com' }), list))
    assert.ok(allowlistRefusal(user({ email: 'a@example.com.evil.net' }), list))
  })

  test('allowed_organizations matches group names in ASCII case only', () => {
    const list = authorization({ allowed_organizations: ['kit'] })
    assert.equal(allowlistRefusal(user({ organizations: ['KIT'] }), list), undefined)
    assert.ok(allowlistRefusal(user({ organizations: ['\u212Ait'] }), list), 'the Kelvin sign is not a k')
  })
})

describe('one upstream client authentication method, chosen once', () => {
  test('the configured method wins; else the first of basic, post, private_key_jwt the provider lists', () => {
    assert.equal(
      chooseClientAuthMethod('oidc', 'client_secret_post', ['client_secret_basic'], false),
      'client_secret_post',
    )
    assert.equal(
      chooseClientAuthMethod(
        'oidc',
        undefined,
        ['private_key_jwt', 'client_secret_post', 'client_secret_basic'],
        true,
      ),
      'client_secret_basic',
    )
    assert.equal(
      chooseClientAuthMethod('oidc', undefined, ['client_secret_post'], false),
      'client_secret_post',
    )
    assert.equal(chooseClientAuthMethod('oidc', undefined, ['private_key_jwt'], true), 'private_key_jwt')
    assert.throws(() => chooseClientAuthMethod('oidc', undefined, ['private_key_jwt'], false), /private_key/)
    assert.throws(
      () => chooseClientAuthMethod('oidc', undefined, ['tls_client_auth'], false),
      /none of the client/,
    )
  })
})
