import { createHmac } from 'node:crypto'
import {
  type Answer,
  basicCredentials,
  empty,
  field,
  found,
  html,
  type IssuedToken,
  json,
  pkceMatches,
  QuirkyStandIn,
  type QuirkyStandInOptions,
  randomAlphanumeric,
  randomToken,
  type StandInRequest,
  type StandInRoute,
  text,
} from './quirky-shared.js'

export type { RecordedRequest, StandInFailure } from './quirky-shared.js'
export { followAuthorization } from './quirky-shared.js'

/**
 * Salesforce on loopback, as two hosts: `url` is the login host (login.salesforce.com,
 * test.salesforce.com for sandboxes) and `instanceUrl` is the org's own My Domain
 * (`https://acme.my.salesforce.com`). Both serve the OAuth endpoints, as the real hosts do.
 * Wire format and quirks:
 * - the token response carries `instance_url`, the identity URL `id`, `issued_at` and a
 *   `signature` (Base64 HMAC-SHA256 of `id + issued_at` keyed with the client secret), and no
 *   `expires_in`: a token lives until the org's session timeout, which a client learns only
 *   when an API call starts failing;
 * - errors are JSON 400s (`invalid_grant`, `invalid_client`, …);
 * - a refresh token comes only with the `refresh_token` or `offline_access` scope and is not
 *   rotated unless the connected app turns rotation on;
 * - the userinfo endpoint answers 403 with a plain-text reason (`Bad_OAuth_Token`) for a dead token;
 * - revocation answers 200, or 400 `invalid_token` for a token it does not know.
 * Docs: help.salesforce.com "OAuth 2.0 Web Server Flow", "UserInfo Endpoint", "Revoke OAuth Tokens".
 */

/** The endpoints whose requests are recorded and whose answers can be switched to a failure. */
export type SalesforceEndpoint = 'authorize' | 'token' | 'userinfo' | 'revoke'

/** The Salesforce user that logs in at the stand-in (the fields userinfo reports). */
export interface SalesforceStandInUser {
  readonly user_id: string
  readonly organization_id: string
  /** The Salesforce username (email-shaped, unique across all orgs). */
  readonly preferred_username: string
  readonly name: string
  readonly given_name: string
  readonly family_name: string
  readonly email: string
  /**
   * Whether the address was verified; an admin of any org can create a user with an unverified
   * address at any domain, which userinfo then reports as `email_verified: false`
   * (help.salesforce.com "OpenID Connect userinfo endpoint", "Verify a user's email"). Default true.
   */
  readonly email_verified?: boolean | undefined
  readonly nickname: string
}

/** Options of `startSalesforceStandIn`. */
export interface SalesforceStandInOptions extends QuirkyStandInOptions<SalesforceStandInUser> {
  /** The connected app's "Enable Refresh Token Rotation" setting. */
  readonly rotateRefreshTokens?: boolean
  /** The org's session timeout: how long an access token works (default 2 h). */
  readonly sessionTimeoutMs?: number
}

const DEFAULT_USER: SalesforceStandInUser = {
  user_id: '005xx000001SwiUAAS',
  organization_id: '00Dxx0000001gPLEAY',
  preferred_username: 'jane.doe@acme.example',
  name: 'Jane Doe',
  given_name: 'Jane',
  family_name: 'Doe',
  email: 'jane.doe@acme.example',
  nickname: 'jdoe',
}

const CODE_TTL_MS = 15 * 60_000
const USERINFO_SCOPES = ['openid', 'id', 'profile', 'email', 'address', 'phone', 'full']

/** The running stand-in. */
export class SalesforceStandIn extends QuirkyStandIn<SalesforceEndpoint, SalesforceStandInUser> {
  /** The login host (login.salesforce.com / test.salesforce.com). */
  url = ''
  /** The org's My Domain, returned as `instance_url`. */
  instanceUrl = ''
  rotateRefreshTokens: boolean
  sessionTimeoutMs: number

  constructor(options: SalesforceStandInOptions = {}) {
    super(DEFAULT_USER, options)
    this.rotateRefreshTokens = options.rotateRefreshTokens ?? false
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 2 * 3600_000
  }

  /** Starts both hosts on 127.0.0.1, random ports. */
  async start(): Promise<this> {
    const routes: StandInRoute<SalesforceEndpoint>[] = [
      {
        method: 'GET',
        path: '/services/oauth2/authorize',
        endpoint: 'authorize',
        handle: (q) => this.#authorize(q),
      },
      { method: 'POST', path: '/services/oauth2/token', endpoint: 'token', handle: (q) => this.#token(q) },
      {
        method: 'GET',
        path: '/services/oauth2/userinfo',
        endpoint: 'userinfo',
        handle: (q) => this.#userinfo(q),
      },
      { method: 'POST', path: '/services/oauth2/revoke', endpoint: 'revoke', handle: (q) => this.#revoke(q) },
    ]
    const oauthError = (endpoint: SalesforceEndpoint, request: StandInRequest) =>
      this.#oauthError(endpoint, request)
    this.url = await this.listen(routes, oauthError)
    this.instanceUrl = await this.listen(routes, oauthError)
    return this
  }

  /** The identity URL of a user: on the login host, as Salesforce issues it. */
  identityUrl(user: SalesforceStandInUser = this.user): string {
    return `${this.url}/id/${user.organization_id}/${user.user_id}`
  }

  #authorize(request: StandInRequest): Answer {
    const q = request.query
    // Without a known client and callback Salesforce shows an error page instead of redirecting.
    if (q['client_id'] !== this.clientId)
      return html(400, '<p>error=invalid_client_id&error_description=client identifier invalid</p>')
    const redirectUri = q['redirect_uri']
    if (!this.registered(redirectUri)) {
      return html(
        400,
        '<p>error=redirect_uri_mismatch&error_description=redirect_uri must match configuration</p>',
      )
    }
    if (q['response_type'] !== 'code') {
      return found(redirectUri, {
        error: 'unsupported_response_type',
        error_description: 'response type not supported',
        state: q['state'],
      })
    }
    if (this.denyConsent) {
      return found(redirectUri, {
        error: 'access_denied',
        error_description: 'end-user denied authorization',
        state: q['state'],
      })
    }
    // Salesforce hashes with SHA-256 whether or not the method is named.
    const codeChallengeMethod = q['code_challenge'] ? (q['code_challenge_method'] ?? 'S256') : undefined
    return this.approve(
      q,
      redirectUri,
      { scope: q['scope'] ?? 'id api web', codeChallengeMethod },
      CODE_TTL_MS,
    )
  }

  #token(request: StandInRequest): Answer {
    const body = request.body
    const basic = basicCredentials(request.headers)
    const clientId = basic?.id ?? field(body, 'client_id')
    if (clientId !== this.clientId)
      return json(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' })
    if ((basic?.secret ?? field(body, 'client_secret')) !== this.clientSecret) {
      return json(400, { error: 'invalid_client', error_description: 'invalid client credentials' })
    }
    const grantType = field(body, 'grant_type')
    if (grantType === 'refresh_token') return this.#refresh(field(body, 'refresh_token'))
    if (grantType !== 'authorization_code')
      return json(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' })
    const grant = this.takeCode(body['code'])
    if (!grant) return json(400, { error: 'invalid_grant', error_description: 'invalid authorization code' })
    if (field(body, 'redirect_uri') !== grant.redirectUri) {
      return json(400, {
        error: 'redirect_uri_mismatch',
        error_description: 'redirect_uri must match configuration',
      })
    }
    if (!pkceMatches(grant, body['code_verifier']))
      return json(400, { error: 'invalid_grant', error_description: 'invalid code verifier' })
    const scopes = grant.scope.split(' ')
    const withRefresh = scopes.includes('refresh_token') || scopes.includes('offline_access')
    return this.#issue({ scope: grant.scope, user: grant.user, family: randomToken(8) }, withRefresh)
  }

  #refresh(token: string | undefined): Answer {
    const issued = this.liveToken(token, 'refresh')
    if (!token || !issued)
      return json(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' })
    if (this.rotateRefreshTokens) this.forgetToken(token)
    return this.#issue(issued, this.rotateRefreshTokens)
  }

  #issue(
    login: Pick<IssuedToken<SalesforceStandInUser>, 'scope' | 'user' | 'family'>,
    withRefresh: boolean,
  ): Answer {
    const now = this.now()
    const base = { clientId: this.clientId, scope: login.scope, user: login.user, family: login.family }
    // An access token is a session id: the org id, `!`, and an opaque part.
    const accessToken = this.issueToken(
      `${login.user.organization_id.slice(0, 15)}!AR${randomAlphanumeric(96)}`,
      {
        ...base,
        kind: 'access',
        expiresAt: now + this.sessionTimeoutMs,
      },
    )
    const id = this.identityUrl(login.user)
    const issuedAt = String(now)
    const answer: Record<string, string> = {
      access_token: accessToken,
      signature: createHmac('sha256', this.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope: login.scope,
      instance_url: this.instanceUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    }
    if (withRefresh) {
      answer['refresh_token'] = this.issueToken(`5Aep861${randomAlphanumeric(80)}`, {
        ...base,
        kind: 'refresh',
        expiresAt: undefined,
      })
    }
    // No `id_token` although Salesforce sends one for `openid`: nothing here verifies it.
    return json(200, answer)
  }

  /** OpenID Connect userinfo of the token's user. */
  #userinfo(request: StandInRequest): Answer {
    if (!request.headers.authorization) return text(403, 'Missing_OAuth_Token')
    const issued = this.bearer(request)
    if (!issued) return text(403, 'Bad_OAuth_Token')
    if (!issued.scope.split(' ').some((scope) => USERINFO_SCOPES.includes(scope)))
      return text(403, 'No_Oauth_Scope')
    const user = issued.user
    return json(200, {
      sub: this.identityUrl(user),
      user_id: user.user_id,
      organization_id: user.organization_id,
      preferred_username: user.preferred_username,
      nickname: user.nickname,
      name: user.name,
      email: user.email,
      email_verified: user.email_verified ?? true,
      given_name: user.given_name,
      family_name: user.family_name,
      zoneinfo: 'America/Los_Angeles',
      photos: {
        picture: `${this.instanceUrl}/profilephoto/005/F`,
        thumbnail: `${this.instanceUrl}/profilephoto/005/T`,
      },
      profile: `${this.instanceUrl}/${user.user_id}`,
      picture: `${this.instanceUrl}/profilephoto/005/F`,
      address: {},
      is_salesforce_integration_user: false,
      urls: {
        rest: `${this.instanceUrl}/services/data/v{version}/`,
        profile: `${this.instanceUrl}/${user.user_id}`,
      },
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: -28_800_000,
      updated_at: '2025-06-01T12:00:00Z',
    })
  }

  #revoke(request: StandInRequest): Answer {
    const token = field(request.body, 'token')
    const known = this.liveToken(token, 'access') ?? this.liveToken(token, 'refresh')
    if (!token || !known) return json(400, { error: 'invalid_token', error_description: 'invalid token' })
    this.revokeToken(token)
    return empty(200)
  }

  #oauthError(endpoint: SalesforceEndpoint, request: StandInRequest): Answer {
    if (endpoint === 'authorize') {
      return found(request.query['redirect_uri'] ?? 'http://127.0.0.1/', {
        error: 'OAUTH_APP_BLOCKED',
        error_description: 'this app is blocked by admin',
        state: request.query['state'],
      })
    }
    if (endpoint === 'token')
      return json(400, { error: 'invalid_grant', error_description: 'authentication failure' })
    if (endpoint === 'revoke')
      return json(400, {
        error: 'unsupported_token_type',
        error_description: 'this token type is not supported',
      })
    return text(403, 'Bad_OAuth_Token')
  }
}

/** Starts a Salesforce stand-in (login host and My Domain) on 127.0.0.1. */
export async function startSalesforceStandIn(
  options: SalesforceStandInOptions = {},
): Promise<SalesforceStandIn> {
  return new SalesforceStandIn(options).start()
}
