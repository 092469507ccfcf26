import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import Provider, { type Adapter, type AdapterPayload, type Configuration } from 'oidc-provider'
import { type LoopbackServer, sendJson, startLoopbackServer } from './loopback-server.js'
import type { StandInOptions } from './stand-in-options.js'
import {
  applyFailure,
  type RecordedRequest,
  recordRequest,
  type StandardStandIn,
  StandInControls,
  sendHtml,
} from './standard-shared.js'

/**
 * The certified OpenID Connect server `oidc-provider` (v8) dressed as a Keycloak realm: issuer
 * `{url}/realms/{realm}`, discovery at `{issuer}/.well-known/openid-configuration`, endpoints
 * `{issuer}/protocol/openid-connect/{auth,token,userinfo,revoke,certs,logout}` as Keycloak names
 * them, a 404 `Realm does not exist` for any other realm. One test user logs in and consents on
 * their own (no page to fill in); one static confidential client is registered. PKCE S256 is
 * required, refresh tokens are issued with every code (Keycloak's standard flow does; plain
 * oidc-provider wants `offline_access`), ID tokens carry the profile claims (Keycloak's do), and
 * revoking a refresh token ends its grant.
 *
 * Known difference: access tokens are opaque, where Keycloak's are JWTs; oidc-provider's UserInfo
 * endpoint only takes tokens without an audience, and its JWT access tokens always have one.
 */

export type OidcEndpoint =
  | 'discovery'
  | 'authorize'
  | 'token'
  | 'userinfo'
  | 'revoke'
  | 'jwks'
  | 'logout'
  | 'login'
  | 'other'

export interface OidcStandInUser {
  readonly sub: string
  readonly preferred_username: string
  readonly email: string
  readonly email_verified: boolean
  readonly name: string
  readonly given_name: string
  readonly family_name: string
  /**
   * Keycloak's role claims, sent for the `roles` scope as Keycloak's "realm roles" and "client
   * roles" mappers do (with "Add to userinfo" on): `realm_access.roles` and
   * `resource_access.<client>.roles` (keycloak.org docs, Server Administration, "Protocol mappers").
   */
  readonly realm_access?: { readonly roles: readonly string[] } | undefined
  readonly resource_access?: Readonly<Record<string, { readonly roles: readonly string[] }>> | undefined
  /** Keycloak's "Group Membership" mapper (full group paths), sent for the `groups` scope. */
  readonly groups?: readonly string[] | undefined
}

/**
 * Options of `startOidcProviderStandIn`. Redirect URIs are matched exactly (default
 * `http://localhost:8000/keycloak/callback`).
 */
export interface OidcProviderStandInOptions extends StandInOptions<OidcStandInUser> {
  /** Default `mxcp`. */
  readonly realm?: string
  /**
   * How the client authenticates at the token endpoint (default `client_secret_basic`). A client
   * registered for `client_secret_post` is refused when it sends Basic, as Okta does.
   */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post'
  /** Seconds an access token lives (Keycloak's default: 300). */
  readonly accessTokenTtlS?: number
}

/**
 * The running stand-in. `denyConsent`: the user cancels at the login/consent screen;
 * `rotateRefreshTokens`: Keycloak's "Revoke Refresh Token" setting.
 */
export interface OidcProviderStandIn extends StandardStandIn<OidcEndpoint, OidcStandInUser> {
  /** The Keycloak `server_url`: `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly realm: string
  /** `{url}/realms/{realm}`. */
  readonly issuer: string
  /** An administrator ends every session: all tokens die. */
  revokeAll(): void
}

const ENDPOINTS: Readonly<Record<string, OidcEndpoint>> = {
  '/.well-known/openid-configuration': 'discovery',
  '/protocol/openid-connect/auth': 'authorize',
  '/protocol/openid-connect/token': 'token',
  '/protocol/openid-connect/userinfo': 'userinfo',
  '/protocol/openid-connect/revoke': 'revoke',
  '/protocol/openid-connect/certs': 'jwks',
  '/protocol/openid-connect/logout': 'logout',
}

/** Starts oidc-provider behind a Keycloak-shaped path on 127.0.0.1, port 0. */
export async function startOidcProviderStandIn(
  options: OidcProviderStandInOptions = {},
): Promise<OidcProviderStandIn> {
  const realm = options.realm ?? 'mxcp'
  const prefix = `/realms/${realm}`
  const clientId = options.clientId ?? 'mxcp-client'
  const clientSecret = options.clientSecret ?? 'keycloak-stand-in-secret'
  const user: OidcStandInUser = {
    sub: 'f3c1b7a2-7d4e-4c1a-9a53-2f0e4b8d6c11',
    preferred_username: 'ada',
    email: 'ada@example.com',
    email_verified: true,
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    ...options.user,
  }
  const records = new WeakMap<IncomingMessage, RecordedRequest>()
  const controls = new StandInControls<OidcEndpoint>()
  const storage = new Map<string, { payload: AdapterPayload; expiresAt: number }>()
  let provider: Provider | undefined
  let loopback: LoopbackServer | undefined

  loopback = await startLoopbackServer(async (req, res) => {
    const target = new URL(req.url ?? '/', 'http://stand-in')
    const inRealm = target.pathname === prefix || target.pathname.startsWith(`${prefix}/`)
    const rest = inRealm ? target.pathname.slice(prefix.length) : target.pathname
    const endpoint = endpointOf(rest)
    const record = recordRequest(inRealm ? endpoint : 'unknown', req, target)
    controls.requests.push(record)
    records.set(req, record)
    if (!inRealm || !provider || !loopback) {
      // Keycloak's answer for a realm it does not have.
      return sendJson(res, 404, { error: 'Realm does not exist' })
    }
    if (await applyFailure(controls.failures.take(endpoint), res, loopback)) return
    // oidc-provider takes Basic for a client registered for client_secret_post; Okta and Entra ID
    // hold a client to the one method it registered, and so does the stand-in.
    const clientEndpoint = endpoint === 'token' || endpoint === 'revoke'
    if (
      clientEndpoint &&
      options.tokenEndpointAuthMethod === 'client_secret_post' &&
      req.headers.authorization
    ) {
      return sendJson(res, 401, {
        error: 'invalid_client',
        error_description: 'client authentication method mismatch',
      })
    }
    if (endpoint === 'login') {
      // Without its interaction cookie (expired, another browser) Keycloak shows an error page too.
      return interact(provider, req, res).catch(() =>
        sendHtml(res, 400, '<h1>We are sorry...</h1><p>Your login attempt timed out.</p>'),
      )
    }
    // Mount under the realm path as express does: oidc-provider reads `originalUrl` to build URLs.
    Object.assign(req, { originalUrl: req.url, url: `${rest}${target.search}` })
    await callback(req, res)
  })
  const url = loopback.url
  const issuer = `${url}${prefix}`

  const interact = async (op: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await op.interactionDetails(req, res)
    if (controls.denyConsent) {
      const denied = { error: 'access_denied', error_description: 'The user denied access' }
      return op.interactionFinished(req, res, denied, { mergeWithLastSubmission: false })
    }
    if (details.prompt.name === 'login') {
      return op.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      )
    }
    const accountId = details.session?.accountId ?? user.sub
    const grant = details.grantId
      ? ((await op.Grant.find(details.grantId)) ?? new op.Grant({ accountId, clientId }))
      : new op.Grant({ accountId, clientId })
    const scopes = stringList(details.prompt.details['missingOIDCScope'])
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '))
    const claims = stringList(details.prompt.details['missingOIDCClaims'])
    if (claims.length > 0) grant.addOIDCClaims(claims)
    const grantId = await grant.save()
    await op.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  }

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  }
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...(options.redirectUris ?? ['http://localhost:8000/keycloak/callback'])],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? 'client_secret_basic',
      },
    ],
    adapter: (name: string) => new MapAdapter(name, storage),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    routes: {
      authorization: '/protocol/openid-connect/auth',
      token: '/protocol/openid-connect/token',
      userinfo: '/protocol/openid-connect/userinfo',
      revocation: '/protocol/openid-connect/revoke',
      pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
      jwks: '/protocol/openid-connect/certs',
      end_session: '/protocol/openid-connect/logout',
      introspection: '/protocol/openid-connect/token/introspect',
    },
    interactions: { url: (_ctx, interaction) => `${prefix}/login-actions/authenticate/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true, allowedPolicy: () => true },
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
      roles: ['realm_access', 'resource_access'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles', 'groups'],
    // Keycloak puts the profile claims in the ID token too.
    conformIdTokenClaims: false,
    // Keycloak issues a refresh token with every code, without `offline_access`.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => controls.rotateRefreshTokens,
    pkce: { required: () => true, methods: ['S256'] },
    ttl: {
      AccessToken: options.accessTokenTtlS ?? 300,
      AuthorizationCode: 60,
      IdToken: options.accessTokenTtlS ?? 300,
      RefreshToken: 1800,
      Interaction: 600,
      Session: 36000,
      Grant: 36000,
    },
    clientBasedCORS: () => false,
    findAccount: (_ctx, sub) =>
      sub === user.sub ? { accountId: sub, claims: () => ({ ...user }) } : undefined,
    renderError: (ctx, out) => {
      ctx.type = 'html'
      ctx.body = `<!doctype html><html><body><h1>We are sorry...</h1><p>${escapeHtml(out.error)}</p></body></html>`
    },
  }
  provider = new Provider(issuer, configuration)
  // Record the parsed form body of each request (oidc-provider reads the body itself).
  provider.use(async (ctx, next) => {
    await next()
    const record = records.get(ctx.req)
    const oidc: unknown = Reflect.get(ctx, 'oidc')
    const body: unknown = typeof oidc === 'object' && oidc !== null ? Reflect.get(oidc, 'body') : undefined
    if (record && typeof body === 'object' && body !== null) record.form = stringRecord(body)
  })
  const callback = provider.callback()
  const server = loopback

  return Object.assign(controls, {
    url,
    realm,
    issuer,
    clientId,
    clientSecret,
    user,
    revokeAll() {
      for (const key of [...storage.keys()]) {
        if (/^(AccessToken|RefreshToken|Grant|Session|AuthorizationCode):/.test(key)) storage.delete(key)
      }
    },
    close: () => server.close(),
  })
}

function endpointOf(path: string): OidcEndpoint {
  if (path.startsWith('/login-actions/')) return 'login'
  // The resume step of an authorization request is `/protocol/openid-connect/auth/<uid>`.
  if (path.startsWith('/protocol/openid-connect/auth/')) return 'authorize'
  return ENDPOINTS[path] ?? 'other'
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function stringRecord(value: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  )
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/**
 * oidc-provider's storage, in memory, with expiry by `expiresIn` (the adapter contract of
 * oidc-provider's `example/my_adapter.js`). Our own rather than its default so that it does not
 * warn on every start and so that the stand-in can end every grant at once.
 */
class MapAdapter implements Adapter {
  readonly #name: string
  readonly #storage: Map<string, { payload: AdapterPayload; expiresAt: number }>

  constructor(name: string, storage: Map<string, { payload: AdapterPayload; expiresAt: number }>) {
    this.#name = name
    this.#storage = storage
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.#storage.set(this.#key(id), {
      payload,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
    })
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.#storage.get(this.#key(id))
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#storage.delete(this.#key(id))
      return undefined
    }
    return entry.payload
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const [key, entry] of this.#storage) {
      if (key.startsWith(`${this.#name}:`) && entry.payload.uid === uid && entry.expiresAt > Date.now())
        return entry.payload
    }
    return undefined
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const [key, entry] of this.#storage) {
      if (key.startsWith(`${this.#name}:`) && entry.payload.userCode === userCode) return entry.payload
    }
    return undefined
  }

  async consume(id: string): Promise<void> {
    const entry = this.#storage.get(this.#key(id))
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000)
  }

  async destroy(id: string): Promise<void> {
    this.#storage.delete(this.#key(id))
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.#storage) {
      if (entry.payload.grantId === grantId) this.#storage.delete(key)
    }
  }

  #key(id: string): string {
    return `${this.#name}:${id}`
  }
}
