import {
  type Answer,
  basicCredentials,
  empty,
  field,
  form,
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
 * GitHub on loopback: github.com's OAuth endpoints and the REST API endpoints a login needs,
 * speaking GitHub's documented wire format with its quirks:
 * - the token endpoint answers `application/x-www-form-urlencoded` unless asked for JSON;
 * - it answers errors with HTTP 200 and an `error` field;
 * - granted scopes come back comma-separated;
 * - the REST API refuses a request without `User-Agent` (403);
 * - `/user` carries only the public email (often null); `/user/emails` needs `user:email`;
 * - GitHub App user tokens expire (8 h) and come with rotating refresh tokens (`ghr_…`).
 * Docs: docs.github.com "Authorizing OAuth apps", "Refreshing user access tokens", REST "Users",
 * "Emails", "Organizations", "OAuth authorizations" (DELETE /applications/{client_id}/token).
 */

/** The endpoints whose requests are recorded and whose answers can be switched to a failure. */
export type GitHubEndpoint = 'authorize' | 'token' | 'user' | 'emails' | 'orgs' | 'revoke'

/** One entry of `GET /user/emails`. */
export interface GitHubStandInEmail {
  readonly email: string
  readonly primary: boolean
  readonly verified: boolean
  readonly visibility: 'public' | 'private' | null
}

/** The GitHub account that logs in at the stand-in. */
export interface GitHubStandInUser {
  readonly id: number
  readonly login: string
  readonly name: string | null
  /** The public email shown on `/user`; null when the user keeps it private. */
  readonly email: string | null
  readonly emails: readonly GitHubStandInEmail[]
  /** Logins of the organizations the user belongs to. */
  readonly orgs: readonly string[]
}

/** Options of `startGitHubStandIn`. */
export interface GitHubStandInOptions extends QuirkyStandInOptions<GitHubStandInUser> {
  /** A GitHub App with expiring user tokens: `ghu_` tokens for 8 h plus `ghr_` refresh tokens. */
  readonly expiringTokens?: boolean
  /** Serve the REST API under `/api/v3`, as GitHub Enterprise Server does. */
  readonly enterprise?: boolean
}

const DEFAULT_USER: GitHubStandInUser = {
  id: 583231,
  login: 'octocat',
  name: 'The Octocat',
  email: null,
  emails: [
    { email: 'octocat@users.noreply.github.com', primary: false, verified: true, visibility: null },
    { email: 'octocat@github.com', primary: true, verified: true, visibility: 'private' },
  ],
  orgs: ['github'],
}

const CODE_TTL_MS = 10 * 60_000
const ACCESS_TTL_S = 28_800
const REFRESH_TTL_S = 15_897_600
const DOCS = 'https://docs.github.com/rest'
const NO_USER_AGENT =
  'Request forbidden by administrative rules. Please make sure your request has a User-Agent header ' +
  '(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). ' +
  'Check https://developer.github.com for other possible causes.\n'

/** The running stand-in: `url` plays both github.com and api.github.com (or GHE's `/api/v3`). */
export class GitHubStandIn extends QuirkyStandIn<GitHubEndpoint, GitHubStandInUser> {
  url = ''
  /** Base of the REST API: `url`, or `url/api/v3` for Enterprise. */
  apiUrl = ''
  /** When true, the REST API answers 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0`. */
  rateLimited = false
  /**
   * REST endpoints that answer GitHub's secondary rate limit: 403 with `retry-after` and "You have
   * exceeded a secondary rate limit", while `x-ratelimit-remaining` is not 0 (docs.github.com
   * "Rate limits for the REST API", section "Exceeding the rate limit").
   */
  readonly secondaryRateLimited = new Set<GitHubEndpoint>()
  readonly expiringTokens: boolean
  readonly #enterprise: boolean

  constructor(options: GitHubStandInOptions = {}) {
    super(DEFAULT_USER, options)
    this.expiringTokens = options.expiringTokens ?? false
    this.#enterprise = options.enterprise ?? false
  }

  /** Starts listening on 127.0.0.1, port 0. */
  async start(): Promise<this> {
    const api = this.#enterprise ? '/api/v3' : ''
    const routes: StandInRoute<GitHubEndpoint>[] = [
      {
        method: 'GET',
        path: '/login/oauth/authorize',
        endpoint: 'authorize',
        handle: (q) => this.#authorize(q),
      },
      { method: 'POST', path: '/login/oauth/access_token', endpoint: 'token', handle: (q) => this.#token(q) },
      {
        method: 'GET',
        path: `${api}/user`,
        endpoint: 'user',
        handle: (q) => this.#api(q, (t) => this.#profile(t.user)),
      },
      { method: 'GET', path: `${api}/user/emails`, endpoint: 'emails', handle: (q) => this.#emails(q) },
      { method: 'GET', path: `${api}/user/orgs`, endpoint: 'orgs', handle: (q) => this.#orgs(q) },
      {
        method: 'DELETE',
        path: new RegExp(`^${api}/applications/[^/]+/token$`),
        endpoint: 'revoke',
        handle: (q) => this.#revoke(q),
      },
    ]
    this.url = await this.listen(routes, (endpoint, request) => this.#oauthError(endpoint, request))
    this.apiUrl = `${this.url}${api}`
    return this
  }

  /**
   * The `auth.github` block of an mxcp configuration that signs in here (once started): its
   * endpoints, and the client's credentials as `${GITHUB_CLIENT_ID}` and `${GITHUB_CLIENT_SECRET}`,
   * for the environment to give (`clientId`, `clientSecret`).
   */
  configBlock(): Record<string, unknown> {
    return {
      client_id: '${GITHUB_CLIENT_ID}',
      client_secret: '${GITHUB_CLIENT_SECRET}',
      scope: 'user:email',
      auth_url: `${this.url}/login/oauth/authorize`,
      token_url: `${this.url}/login/oauth/access_token`,
      api_url: this.apiUrl,
    }
  }

  #authorize(request: StandInRequest): Answer {
    const q = request.query
    // GitHub shows a 404 page for an unknown client_id: there is nobody to redirect to.
    if (q['client_id'] !== this.clientId) return html(404, '<h1>404 Not Found</h1>')
    const redirectUri = q['redirect_uri'] ?? this.redirectUris?.[0]
    if (!this.registered(redirectUri)) {
      const fallback = this.redirectUris?.[0]
      if (!fallback) return html(400, '<h1>The redirect_uri is not valid</h1>')
      // GitHub sends a mismatching redirect_uri back to the registered callback with an error.
      return found(fallback, {
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        state: q['state'],
      })
    }
    // Only S256 is accepted (GitHub changelog 2025-07-14).
    if (q['code_challenge'] && q['code_challenge_method'] !== 'S256') {
      return html(400, '<h1>Only the S256 code_challenge_method is supported</h1>')
    }
    if (this.denyConsent) {
      return found(redirectUri, {
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri:
          'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied',
        state: q['state'],
      })
    }
    // GitHub accepts space- or comma-separated scopes and reports them comma-separated.
    const scope = (q['scope'] ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(',')
    return this.approve(
      q,
      redirectUri,
      { scope, codeChallengeMethod: q['code_challenge_method'] },
      CODE_TTL_MS,
    )
  }

  #token(request: StandInRequest): Answer {
    // Parameters may come in the query string, a form body or a JSON body.
    const params = { ...request.query, ...request.body }
    const basic = basicCredentials(request.headers)
    const clientId = basic?.id ?? field(params, 'client_id')
    const clientSecret = basic?.secret ?? field(params, 'client_secret')
    if (clientId !== this.clientId || clientSecret !== this.clientSecret) {
      return this.#tokenError(
        request,
        'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.',
      )
    }
    if (field(params, 'grant_type') === 'refresh_token') return this.#refresh(request, params)
    const grant = this.takeCode(params['code'])
    if (!grant || grant.clientId !== clientId) {
      return this.#tokenError(request, 'bad_verification_code', 'The code passed is incorrect or expired.')
    }
    const redirectUri = field(params, 'redirect_uri')
    if (redirectUri !== undefined && redirectUri !== grant.redirectUri) {
      return this.#tokenError(
        request,
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
      )
    }
    if (!pkceMatches(grant, params['code_verifier'])) {
      return this.#tokenError(
        request,
        'bad_verification_code',
        'The code_verifier does not match the code_challenge.',
      )
    }
    return this.#issue(request, { scope: grant.scope, user: grant.user, family: randomToken(8) })
  }

  #refresh(request: StandInRequest, params: Record<string, unknown>): Answer {
    const token = field(params, 'refresh_token')
    const issued = this.liveToken(token, 'refresh')
    if (!token || !issued) {
      return this.#tokenError(
        request,
        'bad_refresh_token',
        'The refresh token passed is incorrect or expired.',
      )
    }
    // Refresh tokens rotate: the one just used is dead from now on.
    this.forgetToken(token)
    return this.#issue(request, issued)
  }

  #issue(
    request: StandInRequest,
    login: Pick<IssuedToken<GitHubStandInUser>, 'scope' | 'user' | 'family'>,
  ): Answer {
    const now = this.now()
    const { scope, user, family } = login
    if (!this.expiringTokens) {
      const accessToken = this.issueToken(`gho_${randomAlphanumeric(36)}`, {
        kind: 'access',
        clientId: this.clientId,
        scope,
        user,
        expiresAt: undefined,
        family,
      })
      return this.#answer(request, { access_token: accessToken, scope, token_type: 'bearer' })
    }
    const refreshToken = `ghr_${randomAlphanumeric(76)}`
    this.issueToken(refreshToken, {
      kind: 'refresh',
      clientId: this.clientId,
      scope,
      user,
      expiresAt: now + REFRESH_TTL_S * 1000,
      family,
    })
    const accessToken = this.issueToken(`ghu_${randomAlphanumeric(36)}`, {
      kind: 'access',
      clientId: this.clientId,
      scope,
      user,
      expiresAt: now + ACCESS_TTL_S * 1000,
      family,
    })
    return this.#answer(request, {
      access_token: accessToken,
      expires_in: String(ACCESS_TTL_S),
      refresh_token: refreshToken,
      refresh_token_expires_in: String(REFRESH_TTL_S),
      scope,
      token_type: 'bearer',
    })
  }

  /** GitHub answers JSON only to `Accept: application/json`; otherwise a form-encoded body. */
  #answer(request: StandInRequest, fields: Record<string, string>): Answer {
    if ((request.headers.accept ?? '').includes('application/json')) {
      // In JSON the lifetimes are numbers; in the form body everything is a string.
      const body: Record<string, unknown> = { ...fields }
      for (const key of ['expires_in', 'refresh_token_expires_in'])
        if (key in body) body[key] = Number(body[key])
      return json(200, body)
    }
    return form(200, fields)
  }

  /** GitHub's token errors: HTTP 200 with an `error` field. */
  #tokenError(request: StandInRequest, error: string, description: string): Answer {
    const errorUri = `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${error.replaceAll('_', '-')}`
    return this.#answer(request, { error, error_description: description, error_uri: errorUri })
  }

  /** A REST API call: User-Agent required, `Bearer` or `token` scheme, rate limit when switched on. */
  #api(request: StandInRequest, body: (token: IssuedToken<GitHubStandInUser>) => unknown): Answer {
    if (!request.headers['user-agent']) return text(403, NO_USER_AGENT)
    const issued = this.bearer(request, ['bearer', 'token'])
    if (!issued) return json(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' })
    const scopes = { 'x-oauth-scopes': issued.scope.split(',').join(', '), 'x-accepted-oauth-scopes': '' }
    if (this.rateLimited) {
      return json(
        403,
        { message: `API rate limit exceeded for user ID ${issued.user.id}.`, documentation_url: DOCS },
        {
          ...scopes,
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(this.now() / 1000) + 3600),
        },
      )
    }
    const result = body(issued)
    if (result instanceof ApiError)
      return json(
        result.status,
        { message: result.message, documentation_url: DOCS, status: String(result.status) },
        scopes,
      )
    if (result instanceof Page) return json(200, result.items, { ...scopes, ...result.link(request) })
    return json(200, result, scopes)
  }

  /** The secondary rate limit, when switched on for `endpoint` (see `secondaryRateLimited`). */
  #secondaryLimit(endpoint: GitHubEndpoint): Answer | undefined {
    if (!this.secondaryRateLimited.has(endpoint)) return undefined
    return json(
      403,
      {
        message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url:
          'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      },
      { 'retry-after': '60', 'x-ratelimit-remaining': '4990' },
    )
  }

  #emails(request: StandInRequest): Answer {
    const limited = this.#secondaryLimit('emails')
    if (limited) return limited
    return this.#api(request, (token) =>
      // Without `user:email` (or `user`) GitHub answers 404 rather than 403.
      hasScope(token.scope, 'user:email', 'user')
        ? new Page(token.user.emails, request)
        : new ApiError(404, 'Not Found'),
    )
  }

  #orgs(request: StandInRequest): Answer {
    const limited = this.#secondaryLimit('orgs')
    if (limited) return limited
    return this.#api(request, (token) =>
      hasScope(token.scope, 'read:org', 'write:org', 'admin:org', 'user')
        ? new Page(
            token.user.orgs.map((login, index) => ({
              login,
              id: 1000 + index,
              url: `${this.apiUrl}/orgs/${login}`,
            })),
            request,
          )
        : new ApiError(403, 'You need at least read:org scope or user scope to list your organizations.'),
    )
  }

  /** The `/user` body (REST "Get the authenticated user"), abridged to the public fields. */
  #profile(user: GitHubStandInUser): Record<string, unknown> {
    return {
      login: user.login,
      id: user.id,
      node_id: Buffer.from(`04:User${user.id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      gravatar_id: '',
      url: `${this.apiUrl}/users/${user.login}`,
      html_url: `https://github.com/${user.login}`,
      type: 'User',
      site_admin: false,
      name: user.name,
      company: null,
      blog: '',
      location: null,
      email: user.email,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 8,
      public_gists: 8,
      followers: 0,
      following: 0,
      created_at: '2011-01-25T18:44:36Z',
      updated_at: '2025-06-01T12:00:00Z',
    }
  }

  #revoke(request: StandInRequest): Answer {
    const basic = basicCredentials(request.headers)
    if (!basic)
      return json(401, { message: 'Requires authentication', documentation_url: DOCS, status: '401' })
    const clientId = decodeURIComponent(request.path.split('/').at(-2) ?? '')
    // Wrong app credentials and an unknown token both answer 404: GitHub does not tell which.
    if (basic.id !== this.clientId || basic.secret !== this.clientSecret || clientId !== this.clientId) {
      return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' })
    }
    const token = field(request.body, 'access_token')
    if (!token)
      return json(422, {
        message: 'Invalid request.\n\n"access_token" wasn\'t supplied.',
        documentation_url: DOCS,
        status: '422',
      })
    if (!this.liveToken(token, 'access'))
      return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' })
    this.revokeToken(token)
    return empty(204)
  }

  #oauthError(endpoint: GitHubEndpoint, request: StandInRequest): Answer {
    if (endpoint === 'authorize') {
      return found(request.query['redirect_uri'] ?? this.redirectUris?.[0] ?? 'http://127.0.0.1/', {
        error: 'application_suspended',
        error_description: 'Your application has been suspended. Contact GitHub Support.',
        state: request.query['state'],
      })
    }
    if (endpoint === 'token')
      return this.#tokenError(request, 'bad_verification_code', 'The code passed is incorrect or expired.')
    if (endpoint === 'revoke')
      return json(422, { message: 'Validation Failed', documentation_url: DOCS, status: '422' })
    return json(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' })
  }
}

class ApiError {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

/** A list endpoint's page (`per_page` default 30, max 100) with GitHub's `Link` header. */
class Page {
  readonly items: unknown[]
  readonly #next: number | undefined

  constructor(all: readonly unknown[], request: StandInRequest) {
    const perPage = Math.min(Number(request.query['per_page'] ?? 30) || 30, 100)
    const page = Math.max(Number(request.query['page'] ?? 1) || 1, 1)
    this.items = all.slice((page - 1) * perPage, page * perPage)
    this.#next = page * perPage < all.length ? page + 1 : undefined
  }

  link(request: StandInRequest): Record<string, string> {
    if (this.#next === undefined) return {}
    const next = new URL(request.url.pathname, request.origin)
    for (const [key, value] of Object.entries(request.query)) next.searchParams.set(key, value)
    next.searchParams.set('page', String(this.#next))
    return { link: `<${next}>; rel="next"` }
  }
}

function hasScope(granted: string, ...any: string[]): boolean {
  return granted.split(',').some((scope) => any.includes(scope))
}

/** Starts a GitHub stand-in on 127.0.0.1 (random port). */
export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  return new GitHubStandIn(options).start()
}
