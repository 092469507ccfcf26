import { type UpstreamProvider, UpstreamResponseError, type UpstreamUser } from '@mxcp/auth-core'
import { asRecord, OAuth2Client, stringField } from '@mxcp/auth-core/provider-kit'
import type { FakeIdp } from '@mxcp/testing/fake-idp/fake-idp'

/**
 * An `UpstreamProvider` for the loopback fake identity provider, over auth-core's shared
 * `OAuth2Client` the way a standards-following provider package is built. It answers to `github`
 * so the configuration's `github` block applies.
 */
export function fakeIdpProvider(idp: FakeIdp, now: () => number): UpstreamProvider {
  const client = new OAuth2Client({
    provider: 'github',
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    authUrl: idp.authorizeUrl,
    tokenUrl: idp.tokenUrl,
    revokeUrl: idp.revokeUrl,
    now,
  })
  return {
    id: 'github',
    label: 'Fake IdP',
    callbackPath: '/github/callback',
    authorizationUrl: async (params) => client.authorizationUrl(params, 'user:email'),
    exchangeCode: (code, verifier, redirectUri) => client.exchangeCode(code, verifier, redirectUri),
    userInfo: async (tokens) => toUser(await client.getJson(idp.userInfoUrl, tokens.accessToken)),
    refresh: (tokens) => client.refresh(tokens),
    revoke: (tokens) => client.revoke(tokens),
  }
}

/** Narrows the fake provider's `/userinfo` body. */
function toUser(body: unknown): UpstreamUser {
  const record = asRecord(body, 'github', 'user info')
  const userId = stringField(record, 'sub')
  const username = stringField(record, 'login')
  if (!userId || !username) throw new UpstreamResponseError('github', 'the user info lacks sub or login')
  return {
    userId,
    username,
    email: stringField(record, 'email'),
    name: stringField(record, 'name'),
    rawProfile: record,
  }
}
