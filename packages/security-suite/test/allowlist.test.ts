import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { GitHubStandInUser } from '@mxcp/testing/stand-ins/github'
import {
  AttackHarness,
  type AttackHarnessOptions,
  assertBearerChallenge,
  assertNothingIssued,
  CLIENT_REDIRECT,
  handoverTarget,
} from '../src/index.js'

/**
 * Who may log in (`auth.authorization.allowed_users`, `allowed_email_domains`,
 * `allowed_organizations`), checked at the callback before anything is minted. Without a list,
 * anyone with a GitHub account could sign in: an operator who writes one must be obeyed, and a
 * refused user is told why. The stand-in's user is `octocat`, with the verified primary address
 * `octocat@github.com` and the organization `github`.
 */
describe('who may log in', () => {
  /** Runs one login up to the callback's answer, with this configuration and GitHub user. */
  async function signIn(
    authorization: Record<string, unknown>,
    options: { user?: Partial<GitHubStandInUser>; harness?: AttackHarnessOptions } = {},
  ) {
    const h = await AttackHarness.start({
      ...options.harness,
      auth: { authorization },
      standIn: { ...(options.user ? { user: options.user } : {}) },
    })
    const client = await h.register()
    const visitor = h.visitor()
    const request = h.authorizeUrl(client.clientId)
    const callback = await h.atGitHub(await h.approve(visitor, request))
    h.reset()
    const response = await visitor.get(callback)
    return { h, client, response }
  }

  /**
   * The user is refused: a page naming `reason`, then back to the client with `access_denied`
   * and the reason (RFC 6749 §4.1.2.1); the fresh GitHub token is revoked; nothing is minted.
   */
  async function refused(
    authorization: Record<string, unknown>,
    reason: RegExp,
    options: Parameters<typeof signIn>[1] = {},
  ): Promise<void> {
    const { h, response } = await signIn(authorization, options)
    try {
      assert.equal(response.statusCode, 200, response.body)
      assert.match(response.body, /Access denied/)
      const back = handoverTarget(response, new URL(h.base))
      assert.ok(back, 'the page leads back to the client')
      assert.ok(back.href.startsWith(CLIENT_REDIRECT), `back to the client: ${back.href}`)
      assert.equal(back.searchParams.get('error'), 'access_denied')
      assert.match(back.searchParams.get('error_description') ?? '', reason)
      assert.equal(back.searchParams.get('iss'), h.base)
      assert.doesNotMatch(response.body, /mxcp_ac_/, 'no code reaches the page')
      assertNothingIssued(h)
      assert.equal(h.standIn.requestsTo('revoke').length, 1, "the refused user's GitHub token is revoked")
    } finally {
      await h.close()
    }
  }

  async function admitted(
    authorization: Record<string, unknown>,
    options: Parameters<typeof signIn>[1] = {},
  ): Promise<void> {
    const { h, response } = await signIn(authorization, options)
    try {
      assert.equal(response.statusCode, 302, response.body)
      assert.match(new URL(String(response.headers.location)).searchParams.get('code') ?? '', /^mxcp_ac_/)
    } finally {
      await h.close()
    }
  }

  test('allowed_users: an account not on the list is refused at the callback: a page says why, the client gets access_denied, the GitHub token is revoked; nothing is minted', async () => {
    await refused(
      { allowed_users: ['hubot', 'monalisa'] },
      /octocat.*not on this server's list of allowed users/s,
    )
  })

  test('allowed_users: the GitHub login is compared without regard to case', async () => {
    await admitted({ allowed_users: ['OctoCat'] })
  })

  test('allowed_email_domains: an address at another domain is refused, naming the domain', async () => {
    await refused(
      { allowed_email_domains: ['example.com'] },
      /limited to email addresses at example\.com.*github\.com/s,
    )
  })

  test('allowed_email_domains: a look-alike domain or a subdomain does not match', async () => {
    for (const email of [
      'o@evilgithub.com',
      'o@github.com.evil.example',
      'o@sub.github.com',
      'github.com@evil.example',
    ]) {
      await refused({ allowed_email_domains: ['github.com'] }, /limited to email addresses at github\.com/, {
        user: { email, emails: [{ email, primary: true, verified: true, visibility: 'public' }] },
      })
    }
  })

  test('allowed_email_domains: an unverified address does not count', async () => {
    await refused(
      { allowed_email_domains: ['github.com'] },
      /requires an email address the provider has verified/,
      {
        user: {
          email: null,
          emails: [{ email: 'octocat@github.com', primary: true, verified: false, visibility: 'private' }],
        },
      },
    )
  })

  test('allowed_email_domains: a verified address at the domain is admitted', async () => {
    await admitted({ allowed_email_domains: ['GitHub.com'] })
  })

  test('allowed_organizations: a member of none of the organizations is refused', async () => {
    await refused({ allowed_organizations: ['acme', 'initech'] }, /limited to members of acme, initech/)
  })

  test('allowed_organizations: a member of one of them is admitted (read:org granted)', async () => {
    await admitted({ allowed_organizations: ['acme', 'GitHub'] })
  })

  test('allowed_organizations without the read:org scope fails closed: memberships unknown means refused', async () => {
    await refused({ allowed_organizations: ['github'] }, /limited to members of github/, {
      harness: { github: { scope: 'user:email' } },
    })
  })

  test('the lists combine with AND: every non-empty list must be satisfied', async () => {
    await refused(
      {
        allowed_users: ['octocat'],
        allowed_organizations: ['github'],
        allowed_email_domains: ['example.com'],
      },
      /limited to email addresses at example\.com/,
    )
    await admitted({
      allowed_users: ['octocat'],
      allowed_organizations: ['github'],
      allowed_email_domains: ['github.com'],
    })
  })

  test('a user who leaves the organization loses access when the user is fetched again', async () => {
    const h = await AttackHarness.start({
      auth: { authorization: { allowed_organizations: ['github'] }, cache_ttl: 60 },
    })
    try {
      const tokens = await h.issue(await h.register())
      assert.equal((await h.call(tokens.accessToken)).statusCode, 200)
      // GitHub's data changes under the live token (the stand-in's tokens point at this user object).
      Object.assign(h.standIn.user, { orgs: ['elsewhere'] })
      h.clock.advance(61_000)
      assertBearerChallenge(await h.call(tokens.accessToken), 401, 'invalid_token')
    } finally {
      await h.close()
    }
  })
})
