import type { FakeIdp } from '@mxcp/testing'
import { type UpstreamProvider, UpstreamResponseError, type UpstreamUser } from '../../src/index.js'
import { asRecord, stringField } from '../../src/upstream/http.js'
import { OAuth2Client } from '../../src/upstream/oauth2-client.js'

export interface FakeProviderOptions {
  readonly now?: () => number
  readonly timeoutMs?: number
  /** Leave out refresh() (a provider that cannot refresh, like classic GitHub). */
  readonly withoutRefresh?: boolean
}

/** Narrows the fake provider's userinfo body (no casts of remote data). */
function toUser(body: unknown): UpstreamUser {
  const record = asRecord(body, 'github', 'user info')
  const userId = stringField(record, 'sub')
  const username = stringField(record, 'login')
  if (!userId || !username) throw new UpstreamResponseError('github', 'github user info lacks sub or login')
  const organizations = Array.isArray(record['organizations'])
    ? record['organizations'].filter((item): item is string => typeof item === 'string')
    : undefined
  return {
    userId,
    username,
    email: stringField(record, 'email'),
    name: stringField(record, 'name'),
    organizations,
    rawProfile: record,
  }
}

/**
 * A test-local `UpstreamProvider` over the loopback fake identity provider, built on the shared
 * `OAuth2Client` the way a real standards-following provider is. It answers to the id `github`
 * so the configuration's `github` block applies.
 */
export function fakeIdpProvider(idp: FakeIdp, options: FakeProviderOptions = {}): UpstreamProvider {
  const client = new OAuth2Client({
    provider: 'github',
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    authUrl: idp.authorizeUrl,
    tokenUrl: idp.tokenUrl,
    revokeUrl: idp.revokeUrl,
    timeoutMs: options.timeoutMs,
    now: options.now,
  })
  const provider: UpstreamProvider = {
    id: 'github',
    label: 'GitHub',
    callbackPath: '/github/callback',
    authorizationUrl: async (params) => client.authorizationUrl(params, 'user:email'),
    exchangeCode: (code, verifier, redirectUri) => client.exchangeCode(code, verifier, redirectUri),
    userInfo: async (tokens) => toUser(await client.getJson(idp.userInfoUrl, tokens.accessToken)),
    revoke: (tokens) => client.revoke(tokens),
  }
  return options.withoutRefresh ? provider : { ...provider, refresh: (tokens) => client.refresh(tokens) }
}
