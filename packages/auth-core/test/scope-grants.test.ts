import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { allowlistRefusal } from '../src/access/allowlist.js'
import { grantedScopes } from '../src/access/scope-grants.js'
import { upstreamTokenAction } from '../src/guard/upstream-expiry.js'
import { type UpstreamUser, validateAuthConfig } from '../src/index.js'

const alice: UpstreamUser = {
  userId: '1001',
  username: 'alice',
  email: 'alice@corp.example',
  organizations: ['Acme'],
  groups: ['/admins'],
  roles: ['admin', 'reports:viewer'],
  rawProfile: {},
}
const authorization = (block: Record<string, unknown>) =>
  validateAuthConfig({ authorization: block }).authorization

describe('scope grants', () => {
  test('without grants every user gets exactly default_scopes (mxcp:access)', () => {
    assert.deepEqual(grantedScopes(alice, authorization({})), ['mxcp:access'])
  })

  test('a rule selects by stable id or username, verified email domain, organization, group or role', () => {
    const rules: Record<string, unknown>[] = [
      { users: ['1001'] },
      { users: ['ALICE'] },
      { email_domains: ['@Corp.example'] },
      { organizations: ['acme'] },
      { groups: ['/admins'] },
      { roles: ['reports:viewer'] },
    ]
    for (const rule of rules) {
      const granted = grantedScopes(alice, authorization({ scope_grants: { 'mxcp:admin': rule } }))
      assert.deepEqual(granted, ['mxcp:access', 'mxcp:admin'], JSON.stringify(rule))
    }
  })

  test('a rule selects nobody by a near miss: another id, a look-alike domain, a group of another case, Unicode folding', () => {
    const rules: Record<string, unknown>[] = [
      { users: ['1002'] },
      { users: ['ALİCE'] },
      { email_domains: ['corp.example.evil'] },
      { groups: ['/Admins'] },
      { roles: ['reports'] },
      {},
    ]
    for (const rule of rules) {
      const granted = grantedScopes(alice, authorization({ scope_grants: { 'mxcp:admin': rule } }))
      assert.deepEqual(granted, ['mxcp:access'], JSON.stringify(rule))
    }
  })

  test('an unverified email (absent from the user) matches no email-domain rule', () => {
    const unverified = { ...alice, email: undefined }
    const granted = grantedScopes(
      unverified,
      authorization({ scope_grants: { 'mxcp:admin': { email_domains: ['corp.example'] } } }),
    )
    assert.deepEqual(granted, ['mxcp:access'])
  })

  test('allowed_groups and allowed_roles refuse a user with none of them', () => {
    assert.equal(
      allowlistRefusal(alice, authorization({ allowed_groups: ['/admins'], allowed_roles: ['admin'] })),
      undefined,
    )
    assert.match(
      allowlistRefusal(alice, authorization({ allowed_groups: ['/staff'] })) ?? '',
      /groups \/staff/,
    )
    assert.match(allowlistRefusal(alice, authorization({ allowed_roles: ['owner'] })) ?? '', /roles owner/)
  })
})

describe('upstream token lifetime at the guard', () => {
  const now = 1_000_000
  test('a token of unknown lifetime, or alive beyond the skew, is used', () => {
    assert.equal(upstreamTokenAction({ accessToken: 't' }, now, 60_000, false), 'use')
    assert.equal(upstreamTokenAction({ accessToken: 't', expiresAt: now + 61_000 }, now, 60_000, true), 'use')
  })
  test('a token within the skew of its expiry is refreshed ahead of time when it can be', () => {
    assert.equal(
      upstreamTokenAction({ accessToken: 't', expiresAt: now + 59_000 }, now, 60_000, true),
      'refresh',
    )
    assert.equal(upstreamTokenAction({ accessToken: 't', expiresAt: now - 1 }, now, 60_000, true), 'refresh')
  })
  test('a token that has expired and cannot be refreshed is dead: the session ends', () => {
    assert.equal(upstreamTokenAction({ accessToken: 't', expiresAt: now }, now, 60_000, false), 'dead')
    assert.equal(
      upstreamTokenAction({ accessToken: 't', expiresAt: now + 30_000 }, now, 60_000, false),
      'use',
    )
  })
})

describe('scope grant configuration', () => {
  test('a malformed scope in default_scopes or scope_grants is refused (the plugin calls this at registration), naming the key', async () => {
    const { configuredScopes } = await import('../src/access/scope-grants.js')
    assert.throws(
      () => configuredScopes(authorization({ default_scopes: ['mxcp access'] })),
      /default_scopes.*"mxcp access"/,
    )
    assert.throws(
      () => configuredScopes(authorization({ scope_grants: { 'mxcp:"admin"': { users: ['1'] } } })),
      /scope_grants.*malformed/,
    )
    assert.deepEqual(configuredScopes(authorization({ scope_grants: { 'mxcp:admin': {} } })), [
      'mxcp:access',
      'mxcp:admin',
    ])
  })
})
