import { setTimeout as sleep } from 'node:timers/promises'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { FakeIdpGrants, pkceMatches } from './fake-idp-grants.js'
import type {
  FakeIdpEndpoint,
  FakeIdpFailure,
  FakeIdpOptions,
  FakeIdpRequest,
  FakeIdpUser,
} from './fake-idp-types.js'

const DEFAULT_USER: FakeIdpUser = {
  sub: '1001',
  login: 'alice',
  email: 'alice@example.com',
  name: 'Alice Example',
  organizations: ['acme'],
}

interface FailureSwitch {
  readonly mode: FakeIdpFailure
  /** Failures left; undefined = until healed. */
  remaining: number | undefined
}

/** Flattens a parsed query or form body into strings (first value of a repeated key). */
function flatten(source: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof source !== 'object' || source === null) return out
  for (const [key, value] of Object.entries(source)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') out[key] = first
  }
  return out
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * A generic OAuth 2.0 identity provider on loopback (127.0.0.1, a free port), for tests that must
 * never reach a real one. It logs in a configurable user at once (or through a login page),
 * requires PKCE S256 and checks it at `/token`, rotates refresh tokens, serves `/userinfo` and
 * RFC 7009 `/revoke`, and can be switched into failure modes per endpoint. Every request is
 * recorded so a test can assert that nothing was called upstream.
 */
export class FakeIdp {
  readonly clientId: string
  readonly clientSecret: string
  /** The user the next login yields; changing it (same `sub`) also changes what `/userinfo` answers. */
  user: FakeIdpUser
  /** Every request received, in order. */
  readonly requests: FakeIdpRequest[] = []
  readonly grants: FakeIdpGrants
  readonly #options: FakeIdpOptions
  readonly #failures = new Map<FakeIdpEndpoint, FailureSwitch>()
  readonly #closing = new AbortController()
  readonly #app: FastifyInstance
  #url = ''

  private constructor(options: FakeIdpOptions) {
    this.#options = options
    this.clientId = options.clientId ?? 'fake-client-id'
    this.clientSecret = options.clientSecret ?? 'fake-client-secret'
    this.user = options.user ?? DEFAULT_USER
    this.grants = new FakeIdpGrants(options.now ?? Date.now)
    this.#app = Fastify({ logger: false, forceCloseConnections: true })
  }

  /** Starts a provider on 127.0.0.1 and a free port. */
  static async start(options: FakeIdpOptions = {}): Promise<FakeIdp> {
    const idp = new FakeIdp(options)
    await idp.#app.register(formbody)
    idp.#routes()
    idp.#url = await idp.#app.listen({ host: '127.0.0.1', port: 0 })
    return idp
  }

  /** Origin, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url
  }
  get authorizeUrl(): string {
    return `${this.#url}/authorize`
  }
  get tokenUrl(): string {
    return `${this.#url}/token`
  }
  get userInfoUrl(): string {
    return `${this.#url}/userinfo`
  }
  get revokeUrl(): string {
    return `${this.#url}/revoke`
  }

  /** How many requests an endpoint received (all endpoints when omitted). */
  calls(endpoint?: FakeIdpEndpoint): number {
    return endpoint
      ? this.requests.filter((request) => request.endpoint === endpoint).length
      : this.requests.length
  }

  /** Token requests with the given `grant_type`. */
  tokenRequests(grantType: 'authorization_code' | 'refresh_token'): FakeIdpRequest[] {
    return this.requests.filter(
      (request) => request.endpoint === 'token' && request.params['grant_type'] === grantType,
    )
  }

  /** Makes `endpoint` misbehave, `times` times or until `heal`. */
  fail(endpoint: FakeIdpEndpoint, mode: FakeIdpFailure, times?: number): void {
    this.#failures.set(endpoint, { mode, remaining: times })
  }

  /** Ends failure modes (of one endpoint, or all). */
  heal(endpoint?: FakeIdpEndpoint): void {
    if (endpoint) this.#failures.delete(endpoint)
    else this.#failures.clear()
  }

  /** Forgets recorded requests (counters start again at zero). */
  resetRecords(): void {
    this.requests.length = 0
  }

  async close(): Promise<void> {
    this.#closing.abort()
    await this.#app.close()
  }

  #routes(): void {
    this.#app.get('/authorize', async (request, reply) => {
      const params = this.#record('authorize', request)
      const failed = await this.#failure('authorize', reply, () =>
        this.#redirect(reply, params['redirect_uri'], {
          error: 'access_denied',
          error_description: 'The user denied access',
          state: params['state'],
        }),
      )
      if (failed) return failed
      const problem = this.#checkAuthorize(params)
      if (problem)
        return problem.redirect
          ? this.#redirect(reply, params['redirect_uri'], problem.redirect)
          : reply.code(400).type('text/html').send(problem.page)
      // Real providers remember the login in a cookie; the confused-deputy attack relies on it.
      reply.header('set-cookie', 'fake_idp_session=logged-in; Path=/; HttpOnly; SameSite=Lax')
      if (this.#options.interactive) return reply.type('text/html').send(this.#loginPage(params))
      return this.#approve(reply, params)
    })

    this.#app.post('/authorize', async (request, reply) => {
      const params = this.#record('authorize', request)
      const problem = this.#checkAuthorize(params)
      if (problem)
        return reply
          .code(400)
          .type('text/html')
          .send(problem.page ?? 'Bad request')
      if (params['decision'] !== 'approve') {
        return this.#redirect(reply, params['redirect_uri'], {
          error: 'access_denied',
          state: params['state'],
        })
      }
      return this.#approve(reply, params)
    })

    this.#app.post('/token', async (request, reply) => {
      const params = this.#record('token', request)
      reply.header('cache-control', 'no-store')
      const failed = await this.#failure('token', reply, () =>
        reply.code(400).send({ error: 'invalid_grant', error_description: 'The grant is no longer valid' }),
      )
      if (failed) return failed
      if (!this.#clientAuthenticated(request, params)) {
        return reply
          .code(401)
          .send({ error: 'invalid_client', error_description: 'Client authentication failed' })
      }
      if (params['grant_type'] === 'authorization_code') return this.#redeemCode(reply, params)
      if (params['grant_type'] === 'refresh_token') return this.#refresh(reply, params)
      return reply.code(400).send({ error: 'unsupported_grant_type' })
    })

    this.#app.get('/userinfo', async (request, reply) => {
      this.#record('userinfo', request)
      const failed = await this.#failure('userinfo', reply, () =>
        reply
          .code(401)
          .header('www-authenticate', 'Bearer error="invalid_token"')
          .send({ error: 'invalid_token' }),
      )
      if (failed) return failed
      const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
      const grantee = token ? this.grants.userFor(token) : undefined
      if (!grantee)
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer error="invalid_token"')
          .send({ error: 'invalid_token' })
      // The profile is looked up by subject, so a test can change `idp.user` (rename, leave an org) mid-session.
      const user = grantee.sub === this.user.sub ? this.user : grantee
      return {
        sub: user.sub,
        login: user.login,
        email: user.email ?? null,
        name: user.name ?? null,
        organizations: user.organizations ?? [],
      }
    })

    this.#app.post('/revoke', async (request, reply) => {
      const params = this.#record('revoke', request)
      const failed = await this.#failure('revoke', reply, () =>
        reply.code(400).send({ error: 'unsupported_token_type' }),
      )
      if (failed) return failed
      if (!this.#clientAuthenticated(request, params))
        return reply.code(401).send({ error: 'invalid_client' })
      if (params['token']) this.grants.revoke(params['token'])
      return reply.code(200).send()
    })
  }

  #record(endpoint: FakeIdpEndpoint, request: FastifyRequest): Record<string, string> {
    const params = { ...flatten(request.query), ...flatten(request.body) }
    const authScheme = request.headers.authorization?.split(' ')[0]
    this.requests.push({ endpoint, method: request.method, params, authScheme })
    return params
  }

  /** Applies a switched failure mode; returns the reply when the request was answered. */
  async #failure(
    endpoint: FakeIdpEndpoint,
    reply: FastifyReply,
    deny: () => FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const failure = this.#failures.get(endpoint)
    if (!failure) return undefined
    if (failure.remaining !== undefined && --failure.remaining <= 0) this.#failures.delete(endpoint)
    switch (failure.mode) {
      case 'deny':
        return deny()
      case 'server-error':
        return reply.code(500).type('text/html').send('<h1>Internal Server Error</h1>')
      case 'garbage':
        return reply
          .code(200)
          .type('text/html')
          .send('<html><body>Sign-in is down for maintenance</body></html>')
      case 'slow':
        await sleep(this.#options.slowMs ?? 2000, undefined, { signal: this.#closing.signal }).catch(() => {})
        return undefined
    }
  }

  #checkAuthorize(
    params: Record<string, string>,
  ): { page?: string; redirect?: Record<string, string | undefined> } | undefined {
    if (params['client_id'] !== this.clientId) return { page: '<h1>Unknown client</h1>' }
    const redirectUri = params['redirect_uri']
    if (!redirectUri || !URL.canParse(redirectUri))
      return { page: '<h1>Missing or invalid redirect_uri</h1>' }
    if (params['response_type'] !== 'code')
      return { redirect: { error: 'unsupported_response_type', state: params['state'] } }
    const pkce = params['code_challenge'] && params['code_challenge_method'] === 'S256'
    if (this.#options.requirePkce !== false && !pkce) {
      return {
        redirect: {
          error: 'invalid_request',
          error_description: 'PKCE S256 is required',
          state: params['state'],
        },
      }
    }
    return undefined
  }

  #approve(reply: FastifyReply, params: Record<string, string>): FastifyReply {
    const code = this.grants.createCode({
      redirectUri: params['redirect_uri'] ?? '',
      codeChallenge: params['code_challenge'],
      scope: params['scope'] ?? '',
      user: this.user,
    })
    return this.#redirect(reply, params['redirect_uri'], { code, state: params['state'] })
  }

  #redirect(
    reply: FastifyReply,
    redirectUri: string | undefined,
    params: Record<string, string | undefined>,
  ): FastifyReply {
    if (!redirectUri || !URL.canParse(redirectUri))
      return reply.code(400).type('text/html').send('<h1>Missing redirect_uri</h1>')
    const target = new URL(redirectUri)
    for (const [key, value] of Object.entries(params))
      if (value !== undefined) target.searchParams.set(key, value)
    return reply.redirect(target.href, 302)
  }

  #loginPage(params: Record<string, string>): string {
    const hidden = Object.entries(params)
      .map(([key, value]) => `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`)
      .join('')
    return `<!doctype html><html><head><title>Fake IdP sign-in</title></head><body>
<h1>Sign in as ${escapeHtml(this.user.login)}</h1>
<form method="post" action="/authorize">${hidden}
<button type="submit" name="decision" value="approve">Sign in</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form></body></html>`
  }

  #clientAuthenticated(request: FastifyRequest, params: Record<string, string>): boolean {
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const id = decodeURIComponent(decoded.slice(0, colon))
      const secret = decodeURIComponent(decoded.slice(colon + 1))
      return colon > 0 && id === this.clientId && secret === this.clientSecret
    }
    return params['client_id'] === this.clientId && params['client_secret'] === this.clientSecret
  }

  #redeemCode(reply: FastifyReply, params: Record<string, string>): FastifyReply {
    const pending = params['code'] ? this.grants.takeCode(params['code']) : undefined
    if (!pending)
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'Unknown or used code' })
    if (pending.redirectUri !== params['redirect_uri']) {
      return reply
        .code(400)
        .send({ error: 'invalid_grant', error_description: 'redirect_uri does not match' })
    }
    if (
      pending.codeChallenge !== undefined &&
      !pkceMatches(params['code_verifier'] ?? '', pending.codeChallenge)
    ) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'PKCE verification failed' })
    }
    return reply.send(
      this.grants.issue(pending.user, pending.scope, this.#ttl(), this.#options.issueRefreshTokens !== false),
    )
  }

  #refresh(reply: FastifyReply, params: Record<string, string>): FastifyReply {
    const rotate = this.#options.rotateRefreshTokens !== false
    const grant = params['refresh_token']
      ? this.grants.useRefresh(params['refresh_token'], rotate)
      : undefined
    if (!grant)
      return reply
        .code(400)
        .send({ error: 'invalid_grant', error_description: 'Unknown or used refresh token' })
    const issued = this.grants.issue(grant.user, grant.scope, this.#ttl(), rotate)
    return reply.send(issued)
  }

  #ttl(): number {
    return this.#options.accessTokenTtlSeconds ?? 3600
  }
}

/** Starts a fake identity provider on 127.0.0.1 and a free port. */
export function startFakeIdp(options: FakeIdpOptions = {}): Promise<FakeIdp> {
  return FakeIdp.start(options)
}
