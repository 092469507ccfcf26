import {
  asRecord,
  stringField,
  UpstreamResponseError,
  type UpstreamTokens,
  type UpstreamUser,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'
import { salesforceId18 } from './salesforce-id.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * Where to ask who the user is: the configured `userinfo_url`, else the userinfo endpoint of the
 * org that issued the token (`instance_url`: the org's My Domain, a sandbox, …), else the login
 * host. The access token is sent there, so `instance_url` must be https (http on loopback only).
 */
export function userinfoUrlFor(
  tokens: UpstreamTokens,
  configured: string | undefined,
  loginOrigin: string,
): string {
  if (configured) return configured
  const instance = tokens.extra?.['instance_url']
  if (!instance) return `${loginOrigin}/services/oauth2/userinfo`
  const url = URL.canParse(instance) ? new URL(instance) : undefined
  if (
    !url ||
    !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
  ) {
    throw new UpstreamResponseError('salesforce', 'salesforce instance_url is not an https URL')
  }
  return `${url.origin}/services/oauth2/userinfo`
}

/**
 * OpenID Connect userinfo (and the older identity URL shape) → one user. The id is the 18-character
 * user id; the email counts only with `email_verified: true` (an admin of any org can create a user
 * with an unverified address at your domain); `instance_url` and the org id are attributes for SQL.
 */
export function mapSalesforceUser(body: unknown, tokens?: UpstreamTokens): UpstreamUser {
  const profile = asRecord(body, 'salesforce', 'userinfo answer')
  const userId = stringField(profile, 'user_id') ?? stringField(profile, 'sub')
  // `preferred_username` is the Salesforce username: unique across every org, email-shaped.
  const username = stringField(profile, 'preferred_username') ?? stringField(profile, 'username')
  if (!userId || !username)
    throw new UpstreamResponseError('salesforce', 'salesforce userinfo answer has no user_id or username')
  const org = stringField(profile, 'organization_id')
  const instanceUrl = tokens?.extra?.['instance_url']
  return {
    userId: salesforceId18(userId),
    username,
    email: verifiedEmail(profile['email'], profile['email_verified']),
    attributes: {
      ...(instanceUrl ? { instance_url: instanceUrl } : {}),
      ...(org ? { organization_id: salesforceId18(org) } : {}),
    },
    name: stringField(profile, 'name') ?? stringField(profile, 'display_name'),
    // A Salesforce user belongs to exactly one org; its id lets `allowed_organizations` pin the org.
    organizations: org ? [salesforceId18(org)] : undefined,
    rawProfile: profile,
  }
}
