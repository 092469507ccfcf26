import {
  type Answer,
  field,
  found,
  html,
  type IssuedToken,
  json,
  pkceMatches,
  QuirkyStandIn,
  type QuirkyStandInOptions,
  randomToken,
  type StandInRequest,
  type StandInRoute,
} from './quirky-shared.js'

export type { RecordedRequest, StandInFailure } from './quirky-shared.js'
export { followAuthorization } from './quirky-shared.js'

/**
 * Atlassian Cloud on loopback: auth.atlassian.com (OAuth 2.0 3LO) and api.atlassian.com
 * (`/me`, `/oauth/token/accessible-resources`) on one origin, speaking their wire format:
 * - authorize requires `audience=api.atlassian.com`; `prompt=consent` asks for the consent screen;
 * - the token endpoint takes JSON bodies (forms work too: the server underneath is Auth0);
 * - errors are JSON with 401/403, Auth0 style (`invalid_grant` is a 403);
 * - a refresh token is issued only for `offline_access`, and it rotates: each use returns a new
 *   one, and reusing a spent one revokes the whole login (Auth0 reuse detection);
 * - access tokens live one hour.
 * PKCE is not in Atlassian's documentation, so it is not required here: a login without
 * `code_challenge` succeeds; one that sends it (the Auth0 server underneath honours it) has its
 * `code_verifier` checked.
 * Docs: developer.atlassian.com "Implementing OAuth 2.0 (3LO)", "User Identity API".
 */

/** The endpoints whose requests are recorded and whose answers can be switched to a failure. */
export type AtlassianEndpoint = 'authorize' | 'token' | 'me' | 'accessible-resources'

/** The Atlassian account that logs in at the stand-in (the fields `/me` reports). */
export interface AtlassianStandInUser {
  readonly account_id: string
  readonly email: string
  readonly name: string
  readonly nickname: string
}

/** Options of `startAtlassianStandIn`. */
export interface AtlassianStandInOptions extends QuirkyStandInOptions<AtlassianStandInUser> {}

const DEFAULT_USER: AtlassianStandInUser = {
  account_id: '5b10ac8d82e05b22cc7d4ef5',
  email: 'mia@example.com',
  name: 'Mia Krystof',
  nickname: 'mkrystof',
}

const AUDIENCE = 'api.atlassian.com'
const CODE_TTL_MS = 5 * 60_000
const ACCESS_TTL_S = 3600
const REFRESH_IDLE_MS = 90 * 24 * 3600_000

/** One Atlassian site the app is installed on (an entry of `accessible-resources`). */
export interface AtlassianStandInSite {
  readonly id: string
  readonly url: string
  readonly name: string
}

/** The running stand-in: `url` plays both auth.atlassian.com and api.atlassian.com. */
export class AtlassianStandIn extends QuirkyStandIn<AtlassianEndpoint, AtlassianStandInUser> {
  /**
   * The sites `accessible-resources` lists; empty when the app is installed on none of the user's
   * sites, which Atlassian answers with `[]` (developer.atlassian.com "Implementing OAuth 2.0
   * (3LO)", section "Get the cloudid for your site").
   */
  sites: AtlassianStandInSite[] = [
    {
      id: '1324a887-45db-1bf4-1e99-ef0ff456d421',
      url: 'https://your-domain.atlassian.net',
      name: 'your-domain',
    },
  ]
  url = ''
  /** Spent refresh tokens and their login, to detect reuse. */
  readonly #spent = new Map<string, string>()

  constructor(options: AtlassianStandInOptions = {}) {
    super(DEFAULT_USER, options)
  }

  /** Starts listening on 127.0.0.1, port 0. */
  async start(): Promise<this> {
    const routes: StandInRoute<AtlassianEndpoint>[] = [
      { method: 'GET', path: '/authorize', endpoint: 'authorize', handle: (q) => this.#authorize(q) },
      { method: 'POST', path: '/oauth/token', endpoint: 'token', handle: (q) => this.#token(q) },
      { method: 'GET', path: '/me', endpoint: 'me', handle: (q) => this.#me(q) },
      {
        method: 'GET',
        path: '/oauth/token/accessible-resources',
        endpoint: 'accessible-resources',
        handle: (q) => this.#resources(q),
      },
    ]
    this.url = await this.listen(routes, (endpoint, request) => this.#oauthError(endpoint, request))
    return this
  }

  #authorize(request: StandInRequest): Answer {
    const q = request.query
    // Errors before the client and its callback are known are pages, never redirects.
    if (q['client_id'] !== this.clientId)
      return html(400, '<h1>Something went wrong</h1><p>Invalid client_id</p>')
    if (q['audience'] !== AUDIENCE)
      return html(400, '<h1>Something went wrong</h1><p>Missing or invalid audience</p>')
    const redirectUri = q['redirect_uri']
    if (!this.registered(redirectUri)) {
      return html(400, '<h1>Something went wrong</h1><p>The redirect_uri is not registered for this app</p>')
    }
    if (q['response_type'] !== 'code') {
      return found(redirectUri, {
        error: 'unsupported_response_type',
        error_description: 'Unsupported response type',
        state: q['state'],
      })
    }
    if (q['code_challenge'] && q['code_challenge_method'] !== 'S256') {
      return found(redirectUri, {
        error: 'invalid_request',
        error_description: 'Unsupported code_challenge_method',
        state: q['state'],
      })
    }
    if (this.denyConsent) {
      return found(redirectUri, {
        error: 'access_denied',
        error_description: 'User did not authorize the request',
        state: q['state'],
      })
    }
    const grant = { scope: q['scope'] ?? '', codeChallengeMethod: q['code_challenge_method'] }
    return this.approve(q, redirectUri, grant, CODE_TTL_MS)
  }

  #token(request: StandInRequest): Answer {
    const body = request.body
    if (field(body, 'client_id') !== this.clientId || field(body, 'client_secret') !== this.clientSecret) {
      return json(401, { error: 'access_denied', error_description: 'Unauthorized' })
    }
    const grantType = field(body, 'grant_type')
    if (grantType === 'refresh_token') return this.#refresh(field(body, 'refresh_token'))
    if (grantType !== 'authorization_code') {
      return json(403, {
        error: 'unsupported_grant_type',
        error_description: `Unsupported grant type: ${grantType}`,
      })
    }
    const grant = this.takeCode(body['code'])
    if (!grant) return json(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' })
    if (field(body, 'redirect_uri') !== grant.redirectUri) {
      return json(403, { error: 'invalid_grant', error_description: 'Redirect URI is wrong.' })
    }
    if (!pkceMatches(grant, body['code_verifier'])) {
      return json(403, { error: 'invalid_grant', error_description: 'Failed to verify code verifier' })
    }
    return this.#issue({ scope: grant.scope, user: grant.user, family: randomToken(8) })
  }

  #refresh(token: string | undefined): Answer {
    const issued = this.liveToken(token, 'refresh')
    if (!token || !issued) {
      // Reuse of a rotated refresh token: the whole login is revoked, as Auth0 does.
      const family = token === undefined ? undefined : this.#spent.get(token)
      if (family !== undefined) this.revokeFamily(family)
      return json(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' })
    }
    this.forgetToken(token)
    this.#spent.set(token, issued.family)
    return this.#issue(issued)
  }

  #issue(login: Pick<IssuedToken<AtlassianStandInUser>, 'scope' | 'user' | 'family'>): Answer {
    const now = this.now()
    const base = { clientId: this.clientId, scope: login.scope, user: login.user, family: login.family }
    // Atlassian access tokens are long JWT-shaped strings; clients treat them as opaque.
    const accessToken = this.issueToken(`eyJraWQiOiJzdGFuZC1pbiJ9.${randomToken(96)}.${randomToken(32)}`, {
      ...base,
      kind: 'access',
      expiresAt: now + ACCESS_TTL_S * 1000,
    })
    const answer: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ACCESS_TTL_S,
      token_type: 'Bearer',
      scope: login.scope,
    }
    if (login.scope.split(' ').includes('offline_access')) {
      answer['refresh_token'] = this.issueToken(randomToken(48), {
        ...base,
        kind: 'refresh',
        expiresAt: now + REFRESH_IDLE_MS,
      })
    }
    return json(200, answer)
  }

  /** User Identity API `GET /me` (needs `read:me`). */
  #me(request: StandInRequest): Answer {
    const issued = this.bearer(request)
    if (!issued) return json(401, { code: 401, message: 'Unauthorized' })
    if (!issued.scope.split(' ').includes('read:me')) return json(403, { code: 403, message: 'Forbidden' })
    const user = issued.user
    return json(200, {
      account_type: 'atlassian',
      account_id: user.account_id,
      email: user.email,
      email_verified: true,
      name: user.name,
      picture: `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${user.account_id}/avatar.png`,
      account_status: 'active',
      nickname: user.nickname,
      zoneinfo: 'Australia/Sydney',
      locale: 'en-US',
      extended_profile: {
        job_title: 'Designer',
        organization: 'Example',
        department: 'Design team',
        location: 'Sydney',
      },
    })
  }

  /** The Atlassian sites the token may reach (the guide's "Accessing Multiple Sites"). */
  #resources(request: StandInRequest): Answer {
    const issued = this.bearer(request)
    if (!issued) return json(401, { code: 401, message: 'Unauthorized' })
    const scopes = issued.scope
      .split(' ')
      .filter((scope) => scope !== 'offline_access' && scope !== 'read:me')
    return json(
      200,
      this.sites.map((site) => ({
        ...site,
        scopes,
        avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png',
      })),
    )
  }

  #oauthError(endpoint: AtlassianEndpoint, request: StandInRequest): Answer {
    if (endpoint === 'authorize') {
      return found(request.query['redirect_uri'] ?? 'http://127.0.0.1/', {
        error: 'unauthorized_client',
        error_description: 'The app is not allowed to request these scopes',
        state: request.query['state'],
      })
    }
    if (endpoint === 'token')
      return json(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' })
    return json(401, { code: 401, message: 'Unauthorized' })
  }
}

/** Starts an Atlassian stand-in on 127.0.0.1 (random port). */
export async function startAtlassianStandIn(
  options: AtlassianStandInOptions = {},
): Promise<AtlassianStandIn> {
  return new AtlassianStandIn(options).start()
}
