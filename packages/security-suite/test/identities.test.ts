import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { UpstreamAccountRefusedError, type UpstreamProvider, validateAuthConfig } from '@mxcp/auth-core'
import {
  allowlistRefusal,
  FakeClock,
  startProviderFlow,
  upstreamTestKit,
  userAttributes,
} from '@mxcp/auth-core/testing'
import { atlassian } from '@mxcp/provider-atlassian'
import { google } from '@mxcp/provider-google'
import { salesforce } from '@mxcp/provider-salesforce'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import { startAtlassianStandIn } from '@mxcp/testing/stand-ins/atlassian'
import { followAuthorization } from '@mxcp/testing/stand-ins/github'
import { startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { startSalesforceStandIn } from '@mxcp/testing/stand-ins/salesforce'
import { followToCallback, injectingFetch } from '@mxcp/testing/stand-ins/standard-shared'
import {
  AttackHarness,
  assertBearerChallenge,
  assertNothingIssued,
  CLIENT_REDIRECT,
  handoverTarget,
} from '../src/index.js'

/** The user a real provider maps from its stand-in after a real login, and the allowlist's verdict on them. */
async function signedInUser(
  provider: UpstreamProvider,
  redirectUri: string,
  follow: (url: URL) => Promise<URL>,
) {
  const kit = upstreamTestKit({ provider: provider.id, redirectUri, follow })
  const login = await kit.login(provider)
  return provider.userInfo(login.tokens)
}

const authorization = (block: Record<string, unknown>) =>
  validateAuthConfig({ authorization: block }).authorization

/**
 * The whole sign-in through `mxcpAuth` with the real provider against its stand-in; asserts the
 * client got `access_denied` (no code) and returns the description it got.
 */
async function refusedThroughThePlugin(
  options: Omit<Parameters<typeof startProviderFlow>[0], 'clock'>,
): Promise<string> {
  const flow = await startProviderFlow({ ...options, clock: new FakeClock(Date.now()) })
  try {
    const { params } = await flow.authorize({ expectRoundTrip: true })
    assert.equal(params.get('error'), 'access_denied')
    assert.equal(params.get('code'), null)
    return params.get('error_description') ?? ''
  } finally {
    await flow.close()
  }
}

/**
 * Identities that cannot be spoofed (invariant 9): the provider's immutable id decides, display
 * names decide nothing, and only addresses the provider verified count. Each case signs in at a
 * stand-in with the real provider package, as an attacker who controls everything about their own
 * account except its id.
 */
describe('identities that cannot be spoofed', () => {
  test('a spoofed Atlassian nickname is not admitted by an allowlist that targets someone else; the username is the account_id', async () => {
    const callback = 'http://127.0.0.1:8000/atlassian/callback'
    // Mallory sets her public nickname to the victim's; nicknames are editable and not unique.
    const standIn = await startAtlassianStandIn({
      redirectUris: [callback],
      user: { account_id: '712020:mallory', nickname: 'mkrystof', name: 'Mia Krystof' },
    })
    try {
      const config = {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/authorize`,
        token_url: `${standIn.url}/oauth/token`,
        userinfo_url: `${standIn.url}/me`,
      }
      const user = await signedInUser(atlassian(config), callback, followAuthorization)
      assert.equal(user.userId, '712020:mallory')
      assert.equal(user.username, '712020:mallory', 'get_username() is the account_id, never the nickname')
      for (const entry of ['5b10ac8d82e05b22cc7d4ef5', 'mkrystof']) {
        assert.ok(
          allowlistRefusal(user, authorization({ allowed_users: [entry] })),
          `not admitted by ${entry}`,
        )
      }
    } finally {
      await standIn.close()
    }
    // And through the plugin: the allowlist names the victim's account_id.
    const open = await startAtlassianStandIn({
      user: { account_id: '712020:mallory', nickname: 'mkrystof', name: 'Mia Krystof' },
    })
    try {
      const description = await refusedThroughThePlugin({
        auth: {
          provider: 'atlassian',
          atlassian: {
            client_id: open.clientId,
            client_secret: open.clientSecret,
            auth_url: `${open.url}/authorize`,
            token_url: `${open.url}/oauth/token`,
            userinfo_url: `${open.url}/me`,
          },
          authorization: { allowed_users: ['5b10ac8d82e05b22cc7d4ef5'] },
        },
        provider: (auth) => atlassian(auth.atlassian ?? {}),
        browser: HeadlessBrowser,
        upstream: { name: 'Atlassian', authorizeUrl: `${open.url}/authorize` },
      })
      assert.match(description, /712020:mallory.*not on this server's list/)
    } finally {
      await open.close()
    }
  })

  test('Atlassian: a user whose sites do not have the app is refused with "No accessible resources found"', async () => {
    const callback = 'http://127.0.0.1:8000/atlassian/callback'
    const standIn = await startAtlassianStandIn({ redirectUris: [callback] })
    standIn.sites = []
    try {
      const config = {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/authorize`,
        token_url: `${standIn.url}/oauth/token`,
        userinfo_url: `${standIn.url}/me`,
      }
      await assert.rejects(
        signedInUser(atlassian(config), callback, followAuthorization),
        (error: unknown) =>
          error instanceof UpstreamAccountRefusedError &&
          /No accessible resources found/.test(error.userMessage),
      )
    } finally {
      await standIn.close()
    }
  })

  test('an unverified Salesforce email is not admitted by an email-domain allowlist', async () => {
    const callback = 'http://127.0.0.1:8000/salesforce/callback'
    // An admin of another org creates a user with an unverified address at the victim's domain.
    const standIn = await startSalesforceStandIn({
      redirectUris: [callback],
      user: { email: 'ceo@acme.example', email_verified: false },
    })
    try {
      const config = {
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/services/oauth2/authorize`,
        token_url: `${standIn.url}/services/oauth2/token`,
      }
      const user = await signedInUser(salesforce(config), callback, followAuthorization)
      assert.equal(user.email, undefined, 'get_user_email() is empty for an unverified address')
      assert.equal(userAttributes(user)['email'], undefined, "nor is it get_user_attribute('email')")
      assert.match(
        allowlistRefusal(user, authorization({ allowed_email_domains: ['acme.example'] })) ?? '',
        /requires an email address the provider has verified/,
      )
    } finally {
      await standIn.close()
    }
    // And through the plugin.
    const open = await startSalesforceStandIn({ user: { email: 'ceo@acme.example', email_verified: false } })
    try {
      const description = await refusedThroughThePlugin({
        auth: {
          provider: 'salesforce',
          salesforce: {
            client_id: open.clientId,
            client_secret: open.clientSecret,
            auth_url: `${open.url}/services/oauth2/authorize`,
            token_url: `${open.url}/services/oauth2/token`,
          },
          authorization: { allowed_email_domains: ['acme.example'] },
        },
        provider: (auth) => salesforce(auth.salesforce ?? {}),
        browser: HeadlessBrowser,
        upstream: { name: 'Salesforce', authorizeUrl: `${open.url}/services/oauth2/authorize` },
      })
      assert.match(description, /requires an email address the provider has verified/)
    } finally {
      await open.close()
    }
  })

  test('Salesforce: a 15-character org id in allowed_organizations matches the 18-character id; another org does not', async () => {
    const callback = 'http://127.0.0.1:8000/salesforce/callback'
    const standIn = await startSalesforceStandIn({ redirectUris: [callback] })
    try {
      const provider = salesforce({
        client_id: standIn.clientId,
        client_secret: standIn.clientSecret,
        auth_url: `${standIn.url}/services/oauth2/authorize`,
        token_url: `${standIn.url}/services/oauth2/token`,
      })
      const user = await signedInUser(provider, callback, followAuthorization)
      const canonicalId = provider.canonicalId?.bind(provider)
      // The stand-in's org is 00Dxx0000001gPLEAY; its 15-character form is case-sensitive.
      assert.equal(
        allowlistRefusal(user, authorization({ allowed_organizations: ['00Dxx0000001gPL'] }), canonicalId),
        undefined,
      )
      assert.ok(
        allowlistRefusal(user, authorization({ allowed_organizations: ['00DXX0000001GPL'] }), canonicalId),
      )
      assert.equal(
        allowlistRefusal(user, authorization({ allowed_organizations: ['00dxx0000001gplEAY'] }), canonicalId),
        undefined,
        'an 18-character id compares case-insensitively',
      )
    } finally {
      await standIn.close()
    }
  })

  test('a consumer Google account with a company address is refused where hosted_domain is set', async () => {
    const callback = 'http://127.0.0.1:8000/google/callback'
    // A personal Google account registered with ada@example.com: verified, but no `hd`.
    const idp = await startGoogleStandIn({ redirectUris: [callback], user: { email: 'ada@example.com' } })
    try {
      const provider = google({
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        ...idp.endpoints,
        hosted_domain: 'example.com',
      })
      const url = await provider.authorizationUrl({
        state: 's',
        codeChallenge: 'c'.repeat(43),
        redirectUri: callback,
      })
      assert.equal(url.searchParams.get('hd'), 'example.com', 'hd is sent')
      assert.match(url.searchParams.get('scope') ?? '', /openid/)
      await assert.rejects(
        signedInUser(provider, callback, followToCallback),
        (error: unknown) =>
          error instanceof UpstreamAccountRefusedError &&
          /Workspace accounts of example\.com/.test(error.userMessage),
      )
    } finally {
      await idp.close()
    }
    // And through the plugin, where an allowlist of the domain alone would have admitted the
    // account (its address is verified): hosted_domain is what refuses it.
    const base = 'https://mcp.test'
    const consumer = await startGoogleStandIn({
      redirectUris: [`${base}/google/callback`],
      user: { email: 'ada@example.com' },
    })
    try {
      const description = await refusedThroughThePlugin({
        auth: {
          provider: 'google',
          google: {
            client_id: consumer.clientId,
            client_secret: consumer.clientSecret,
            ...consumer.endpoints,
            hosted_domain: 'example.com',
          },
          authorization: { allowed_email_domains: ['example.com'] },
        },
        provider: (auth) => google(auth.google ?? {}),
        browser: HeadlessBrowser,
        upstream: { name: 'Google', authorizeUrl: consumer.endpoints.auth_url },
        inject: { baseUrl: base, injectingFetch },
      })
      assert.match(description, /only Google Workspace accounts of example\.com/)
    } finally {
      await consumer.close()
    }
  })

  test('a renamed GitHub login taken by someone else is not admitted by an allowlist of the numeric id; nothing is minted', async () => {
    // octocat (id 583231) renamed; mallory (id 9999) took the login "octocat".
    const h = await AttackHarness.start({
      auth: { authorization: { allowed_users: ['583231'] } },
      standIn: { user: { id: 9999, login: 'octocat' } },
    })
    try {
      const client = await h.register()
      const visitor = h.visitor()
      const callback = await h.atGitHub(await h.approve(visitor, h.authorizeUrl(client.clientId)))
      h.reset()
      const response = await visitor.get(callback)
      const back = handoverTarget(response, new URL(h.base))
      assert.ok(back?.href.startsWith(CLIENT_REDIRECT))
      assert.equal(back?.searchParams.get('error'), 'access_denied')
      assertNothingIssued(h)
    } finally {
      await h.close()
    }
  })
})

/** Scopes come from who the user is (invariant 8), never from what a client registered or asked for. */
describe('scopes granted from the user', () => {
  test('a self-registered client cannot obtain a scope its user was not granted', async () => {
    const h = await AttackHarness.start({
      auth: {
        authorization: {
          required_scopes: ['mxcp:access', 'mxcp:admin'],
          scope_grants: { 'mxcp:admin': { users: ['1'] } },
        },
      },
    })
    try {
      const client = await h.register({ scope: 'mxcp:access mxcp:admin' })
      assert.equal(client.body['scope'], 'mxcp:access mxcp:admin', 'registration alone grants nothing')
      const tokens = await h.issue(client)
      assert.equal(tokens.body['scope'], 'mxcp:access', 'octocat (583231) holds no grant for mxcp:admin')
      assertBearerChallenge(await h.call(tokens.accessToken), 403, 'insufficient_scope')
      const refreshed = await h.refresh(client, tokens.refreshToken, { scope: 'mxcp:access mxcp:admin' })
      assert.equal(refreshed.statusCode, 400, 'a refresh cannot widen it either')
      assert.equal(refreshed.json().error, 'invalid_scope')
    } finally {
      await h.close()
    }
  })

  test('a user who asks only for scopes they are not granted is sent back with access_denied; nothing is minted', async () => {
    const h = await AttackHarness.start({
      auth: { authorization: { scope_grants: { 'mxcp:admin': { organizations: ['admins'] } } } },
    })
    try {
      const client = await h.register({ scope: 'mxcp:admin' })
      const visitor = h.visitor()
      const request = h.authorizeUrl(client.clientId, { scope: 'mxcp:admin' })
      const callback = await h.atGitHub(await h.approve(visitor, request))
      h.reset()
      const back = handoverTarget(await visitor.get(callback), new URL(h.base))
      assert.equal(back?.searchParams.get('error'), 'access_denied')
      assert.match(back?.searchParams.get('error_description') ?? '', /not granted any of the permissions/)
      assertNothingIssued(h)
    } finally {
      await h.close()
    }
  })
})

/** Upstream tokens stay alive or the session ends: an expired one never reaches SQL. */
describe('upstream token lifetime', () => {
  test('an expired upstream token that cannot be refreshed gives 401 invalid_token and nothing reaches SQL', async () => {
    const h = await AttackHarness.start({ standIn: { expiringTokens: true } })
    try {
      const tokens = await h.issue(await h.register())
      assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
      // GitHub refuses the refresh (revoked app authorization); the 8-hour token then expires.
      h.standIn.fail('token', 'oauth-error')
      h.clock.advance(8 * 3600_000 + 1000)
      const reached = h.logs.filter((line) => line.includes('authenticated request')).length
      assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
      assert.equal(
        h.logs.filter((line) => line.includes('authenticated request')).length,
        reached,
        'the route (and its SQL) never ran',
      )
      assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
    } finally {
      await h.close()
    }
  })

  test('an upstream token is refreshed ahead of its expiry, inside the skew', async () => {
    // Our access token outlives GitHub's 8-hour one here, so only the upstream token is at stake.
    const h = await AttackHarness.start({
      standIn: { expiringTokens: true },
      auth: { access_token_ttl: 36_000 },
    })
    try {
      const tokens = await h.issue(await h.register())
      h.clock.advance(8 * 3600_000 - 30_000)
      assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
      assert.equal(h.upstreamTokenCalls(), 2, 'the code exchange, then one refresh 30 s before expiry')
    } finally {
      await h.close()
    }
  })
})

/**
 * The guard's status for `accessToken` once the provider answers again: while an outage is known,
 * one probe at a time goes upstream (spaced by at least a second), so time is moved past the gap
 * and the probe that the next request starts is given a moment to finish.
 */
async function statusOnceRecovered(h: AttackHarness, accessToken: string): Promise<number> {
  h.clock.advance(5_000)
  let status = (await h.call(accessToken)).statusCode
  for (let attempt = 0; status !== 200 && attempt < 40; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    status = (await h.call(accessToken)).statusCode
  }
  return status
}

describe('upstream token lifetime during a provider outage', () => {
  test('a refresh ahead of expiry that cannot reach the provider keeps the live token; once it has expired, 503 and the session is kept', async () => {
    const h = await AttackHarness.start({
      standIn: { expiringTokens: true },
      auth: { access_token_ttl: 36_000 },
    })
    try {
      const tokens = await h.issue(await h.register())
      h.standIn.fail('token', 'server-error')
      h.clock.advance(8 * 3600_000 - 30_000)
      assert.equal((await h.call(tokens.accessToken)).statusCode, 200, 'still alive for 30 s')
      h.clock.advance(31_000)
      const expired = await h.call(tokens.accessToken)
      assert.equal(expired.statusCode, 503, 'expired, and the provider cannot be reached: not served')
      h.standIn.heal()
      assert.equal(await statusOnceRecovered(h, tokens.accessToken), 200, 'the session survived the outage')
    } finally {
      await h.close()
    }
  })
})

/** Upstream failures are not absences. */
describe('GitHub rate limits', () => {
  test('a secondary rate limit on /user/emails or /user/orgs at sign-in is "provider unavailable", never an absence: temporarily_unavailable, nothing minted', async () => {
    for (const endpoint of ['emails', 'orgs'] as const) {
      const h = await AttackHarness.start({ auth: { authorization: { allowed_organizations: ['github'] } } })
      try {
        const client = await h.register()
        const visitor = h.visitor()
        const callback = await h.atGitHub(await h.approve(visitor, h.authorizeUrl(client.clientId)))
        h.reset()
        h.standIn.secondaryRateLimited.add(endpoint)
        const response = await visitor.get(callback)
        assert.equal(response.statusCode, 302, endpoint)
        const back = new URL(String(response.headers.location))
        assert.equal(back.searchParams.get('error'), 'temporarily_unavailable', endpoint)
        assertNothingIssued(h)
      } finally {
        await h.close()
      }
    }
  })

  test('a rate-limited /user/orgs during revalidation answers 503 and keeps the session', async () => {
    // stale_cache_ttl 0: no last known profile stands in, so the outage shows as a 503.
    const h = await AttackHarness.start({
      auth: { authorization: { allowed_organizations: ['github'] }, cache_ttl: 60, stale_cache_ttl: 0 },
    })
    try {
      const tokens = await h.issue(await h.register())
      h.standIn.secondaryRateLimited.add('orgs')
      h.clock.advance(61_000)
      const busy = await h.call(tokens.accessToken)
      assert.equal(busy.statusCode, 503)
      assert.ok(busy.headers['retry-after'])
      h.standIn.secondaryRateLimited.clear()
      assert.equal(await statusOnceRecovered(h, tokens.accessToken), 200, 'the session survived')
    } finally {
      await h.close()
    }
  })
})
