import * as oauth from 'oauth4webapi'
import { UpstreamOAuthError, UpstreamResponseError } from '../errors/upstream-error.js'
import { UpstreamIdentityChangedError } from '../identity/identity-changed-error.js'
import type {
  AuthorizationResponseIssuer,
  AuthorizationUrlParams,
  ProviderLog,
  UpstreamTokens,
} from '../provider.js'
import { chooseClientAuthMethod, clientAuthFor, type UpstreamClientAuthMethod } from './client-auth-method.js'
import { type GuardedFetch, guardedFetch } from './guarded-fetch.js'
import { stringField } from './http.js'
import { DEFAULT_ID_TOKEN_CLOCK_TOLERANCE_S, type IdTokenClaims } from './id-token.js'
import { IssuerKeys } from './issuer-keys.js'
import { idTokenStep, type OidcStep, throwIfOAuthErrorBody, toUpstreamError } from './oauth4webapi-errors.js'
import { isLoopbackHttp, OidcDiscovery, type OidcEndpointOverrides } from './oidc-discovery.js'
import type { OidcProviderMetadata } from './oidc-metadata.js'
import { nonceFromChallenge, nonceFromVerifier } from './oidc-nonce.js'
import { checkedTokenBody, decodeIdTokenClaims, tokensFromResponse } from './oidc-tokens.js'
import type { ClientAssertionKey } from './private-key-jwt.js'

export { MAX_ID_TOKEN_LENGTH } from './id-token.js'

export interface OidcClientOptions {
  /** Provider id, for errors. */
  readonly provider: string
  /** The issuer URL; its metadata is discovered at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** The scope we request. With `openid` in it an ID token is required, validated and nonce-bound. */
  readonly scope: string
  /**
   * Token endpoint authentication (`token_endpoint_auth_method`); default: the first of
   * `client_secret_basic`, `client_secret_post`, `private_key_jwt` (with `privateKey`) the
   * discovery document lists. Chosen once, never changed by a failure (`chooseClientAuthMethod`).
   */
  readonly clientAuth?: UpstreamClientAuthMethod | undefined
  /** Our key for `private_key_jwt` (OIDC Core §9). */
  readonly privateKey?: ClientAssertionKey | undefined
  readonly log?: ProviderLog | undefined
  readonly fetch?: typeof fetch | undefined
  readonly timeoutMs?: number | undefined
  readonly now?: (() => number) | undefined
  /** How long discovery is cached, ms (default 1 hour). */
  readonly discoveryTtlMs?: number | undefined
  /** Endpoints set by configuration in place of the discovered ones. */
  readonly endpoints?: OidcEndpointOverrides | undefined
}

/** ID token claims that describe the token, not the user; left out when the ID token stands in for user info. */
const PROTOCOL_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  'auth_time',
  'jti',
  'sid',
]

/**
 * The OpenID Connect client that standards-following providers share (Keycloak, any issuer by
 * discovery), on oauth4webapi (OpenID-certified): endpoints from OIDC Discovery 1.0, the code flow
 * with PKCE S256 and a nonce (OIDC Core §3.1), ID token validation (§3.1.3.7: claims by the
 * library as it processes the token response, the signature against the issuer's keys by
 * `IssuerKeys`), user info whose `sub` must match the ID token's (§5.3.2), refresh (§12) and
 * RFC 7009 revocation. What we add on top: discovery that survives the provider being down
 * (`OidcDiscovery`), https-only endpoints, the client authentication method chosen once,
 * `token_type` Bearer only, bounded bodies and ID tokens, OAuth errors sent with any status, and
 * every failure in our upstream error set (`toUpstreamError`).
 */
export class OidcClient {
  readonly options: OidcClientOptions
  readonly discovery: OidcDiscovery
  readonly #fetch: GuardedFetch
  readonly #keys: IssuerKeys
  readonly #client: oauth.Client
  /** The client authentication method, chosen at the first discovery and kept for the life of the process. */
  #clientAuth:
    | { readonly method: UpstreamClientAuthMethod; readonly auth: Promise<oauth.ClientAuth> }
    | undefined

  constructor(options: OidcClientOptions) {
    this.options = options
    const http = { provider: options.provider, fetch: options.fetch, timeoutMs: options.timeoutMs }
    this.discovery = new OidcDiscovery({
      ...http,
      issuer: options.issuer,
      ttlMs: options.discoveryTtlMs,
      endpoints: options.endpoints,
      now: options.now,
      log: options.log,
    })
    this.#fetch = guardedFetch(http)
    this.#keys = new IssuerKeys({ provider: options.provider, fetch: this.#fetch })
    const now = options.now
    this.#client = {
      client_id: options.clientId,
      [oauth.clockTolerance]: DEFAULT_ID_TOKEN_CLOCK_TOLERANCE_S,
    }
    // The library reads the clock as `Date.now()` plus this skew (seconds): our clock, when injected.
    if (now)
      Object.defineProperty(this.#client, oauth.clockSkew, {
        get: () => Math.floor(now() / 1000) - Math.floor(Date.now() / 1000),
      })
  }

  /** True when the configured scope asks for OpenID Connect (OIDC Core §3.1.2.1). */
  get openid(): boolean {
    return this.options.scope.split(/\s+/).includes('openid')
  }

  /** The provider's metadata (cached discovery). */
  metadata(): Promise<OidcProviderMetadata> {
    return this.discovery.get()
  }

  /** The authorization URL (OIDC Core §3.1.2.1) with PKCE S256 and, for OpenID, a nonce. */
  async authorizationUrl(params: AuthorizationUrlParams, extra: Record<string, string> = {}): Promise<URL> {
    const metadata = await this.metadata()
    await this.#authentication(metadata)
    const url = new URL(metadata.authorizationEndpoint)
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('client_id', this.options.clientId)
    url.searchParams.set('redirect_uri', params.redirectUri)
    if (this.options.scope) url.searchParams.set('scope', this.options.scope)
    url.searchParams.set('state', params.state)
    url.searchParams.set('code_challenge', params.codeChallenge)
    url.searchParams.set('code_challenge_method', 'S256')
    if (this.openid) url.searchParams.set('nonce', nonceFromChallenge(params.codeChallenge))
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value)
    return url
  }

  /** Exchanges the code; with `openid`, the ID token must be there and valid (OIDC Core §3.1.3.3, §3.1.3.7). */
  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<UpstreamTokens> {
    const metadata = await this.metadata()
    const as = metadata.server
    const auth = await this.#authentication(metadata)
    // The callback checked the RFC 9207 `iss` (`authorizationResponseIssuer`) before the code got
    // here; these are the parameters it accepted, for the library's own check.
    const announced = metadata.raw['authorization_response_iss_parameter_supported'] === true
    const callback = await this.#stepAsync('token', async () =>
      oauth.validateAuthResponse(
        as,
        this.#client,
        new URLSearchParams({ code, ...(announced ? { iss: as.issuer } : {}) }),
        oauth.skipStateCheck,
      ),
    )
    const response = await this.#stepAsync('token', () =>
      oauth.authorizationCodeGrantRequest(
        as,
        this.#client,
        auth,
        callback,
        redirectUri,
        codeVerifier,
        this.#requestOptions(metadata.tokenEndpoint),
      ),
    )
    const body = await checkedTokenBody(response, metadata, this.options.provider, this.openid)
    try {
      const result = await oauth
        .processAuthorizationCodeResponse(
          as,
          this.#client,
          response,
          this.openid ? { expectedNonce: nonceFromVerifier(codeVerifier), requireIdToken: true } : {},
        )
        .catch(async (error: unknown) => {
          throw await toUpstreamError(this.options.provider, idTokenStep(error), error)
        })
      if (result.id_token) await this.#keys.verify(as, response, this.#insecure(metadata.jwksUri))
      return tokensFromResponse(result, this.#now(), this.options.provider)
    } catch (error) {
      // Tokens we will not use should not stay alive upstream; revocation is best effort here.
      await this.#revokeIssued(body).catch(() => undefined)
      throw error
    }
  }

  /**
   * The user's claims: from the UserInfo endpoint when there is one, whose `sub` must equal the ID
   * token's (OIDC Core §5.3.2), else from the ID token itself. The ID token in `tokens` was
   * validated when it was received (exchange or refresh); it may have expired since, so here it
   * is only decoded.
   */
  async userInfoClaims(tokens: UpstreamTokens): Promise<Record<string, unknown>> {
    const { provider } = this.options
    const metadata = await this.metadata()
    const idClaims = tokens.idToken ? decodeIdTokenClaims(tokens.idToken, provider) : undefined
    if (!metadata.userinfoEndpoint) {
      if (!idClaims)
        throw new UpstreamResponseError(provider, `${provider} has no userinfo endpoint and gave no ID token`)
      return Object.fromEntries(
        Object.entries(idClaims).filter(([claim]) => !PROTOCOL_CLAIMS.includes(claim)),
      )
    }
    const as = metadata.server
    const response = await this.#stepAsync('userinfo', () =>
      oauth.userInfoRequest(
        as,
        this.#client,
        tokens.accessToken,
        this.#requestOptions(metadata.userinfoEndpoint),
      ),
    )
    const expected = typeof idClaims?.['sub'] === 'string' ? idClaims['sub'] : undefined
    const claims = await oauth
      .processUserInfoResponse(as, this.#client, expected ?? oauth.skipSubjectCheck, response)
      .catch(async (error: unknown) => {
        if (error instanceof oauth.OperationProcessingError && error.code === oauth.JSON_ATTRIBUTE_COMPARISON)
          throw new UpstreamIdentityChangedError(provider, 'the user info sub is not the ID token sub')
        throw await toUpstreamError(provider, 'userinfo', error)
      })
    // A signed user info (OIDC Core §5.3.2): its signature too.
    if (response.headers.get('content-type')?.split(';')[0]?.trim() === 'application/jwt')
      await this.#keys.verify(as, response, this.#insecure(metadata.jwksUri))
    return { ...claims }
  }

  /**
   * Refreshes (OIDC Core §12); a new ID token must be valid and about the same user (§12.2: same
   * `iss` and `sub`), else `UpstreamIdentityChangedError`, and the tokens are not returned (the
   * session code ends the session; nothing of the response is stored).
   */
  async refresh(tokens: UpstreamTokens): Promise<UpstreamTokens> {
    const { provider } = this.options
    if (!tokens.refreshToken) throw new UpstreamOAuthError(provider, 'invalid_grant', 'no refresh token')
    const refreshToken = tokens.refreshToken
    const metadata = await this.metadata()
    const as = metadata.server
    const auth = await this.#authentication(metadata)
    const response = await this.#stepAsync('token', () =>
      oauth.refreshTokenGrantRequest(
        as,
        this.#client,
        auth,
        refreshToken,
        this.#requestOptions(metadata.tokenEndpoint),
      ),
    )
    const body = await checkedTokenBody(response, metadata, this.options.provider, this.openid)
    const before = tokens.idToken ? decodeIdTokenClaims(tokens.idToken, provider) : undefined
    const freshIdToken = stringField(body, 'id_token')
    if (before && freshIdToken && freshIdToken !== tokens.idToken) {
      // Compared before anything else: another user's token must end the session, whatever else is wrong with it.
      const after = decodeIdTokenClaims(freshIdToken, provider)
      if (after['sub'] !== before['sub'] || after['iss'] !== before['iss']) {
        await this.#revokeIssued(body).catch(() => undefined)
        throw new UpstreamIdentityChangedError(provider, 'the refreshed ID token names another sub or iss')
      }
    }
    const result = await oauth
      .processRefreshTokenResponse(as, this.#client, response)
      .catch(async (error: unknown) => {
        throw await toUpstreamError(provider, idTokenStep(error), error)
      })
    if (result.id_token && result.id_token !== tokens.idToken) {
      await this.#keys.verify(as, response, this.#insecure(metadata.jwksUri))
      const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
      if (before && claims?.sub !== before['sub'])
        throw new UpstreamResponseError(
          provider,
          `${provider} ID token rejected: sub differs from the first ID token`,
        )
    }
    const fresh = tokensFromResponse(result, this.#now(), this.options.provider)
    // Most providers send no new ID token on refresh; the first one still names the user. A
    // provider that does not rotate refresh tokens keeps the old one valid.
    return {
      ...fresh,
      idToken: fresh.idToken ?? tokens.idToken,
      refreshToken: fresh.refreshToken ?? tokens.refreshToken,
      extra: fresh.extra ?? tokens.extra,
    }
  }

  /**
   * RFC 7009 revocation of the refresh token if there is one (§2.1: that SHOULD also end the
   * access tokens of the same grant), else of the access token; nothing to do when the provider
   * announces no `revocation_endpoint`. 200 is success (§2.2, also for a token the provider no
   * longer knows); an error body (§2.2.1) is `UpstreamOAuthError`, any other status `UpstreamResponseError`.
   */
  async revoke(tokens: UpstreamTokens): Promise<void> {
    const metadata = await this.metadata()
    if (!metadata.revocationEndpoint) return
    const [token, hint] = tokens.refreshToken
      ? [tokens.refreshToken, 'refresh_token']
      : [tokens.accessToken, 'access_token']
    const auth = await this.#authentication(metadata)
    const response = await this.#stepAsync('revocation', () =>
      oauth.revocationRequest(metadata.server, this.#client, auth, token, {
        ...this.#requestOptions(metadata.revocationEndpoint),
        additionalParameters: { token_type_hint: hint },
      }),
    )
    if (response.status !== 200) await throwIfOAuthErrorBody(response, this.options.provider)
    await this.#stepAsync('revocation', () => oauth.processRevocationResponse(response))
  }

  /**
   * RFC 9207 §2.4: the `iss` our callback must see: the discovered issuer, required when the
   * provider announces `authorization_response_iss_parameter_supported`.
   */
  async authorizationResponseIssuer(): Promise<AuthorizationResponseIssuer> {
    const metadata = await this.metadata()
    return {
      issuer: metadata.issuer,
      required: metadata.raw['authorization_response_iss_parameter_supported'] === true,
    }
  }

  /** Revokes what a token response we refuse issued, when the provider can revoke. */
  async #revokeIssued(body: Record<string, unknown>): Promise<void> {
    const accessToken = stringField(body, 'access_token')
    if (!accessToken) return
    await this.revoke({ accessToken, refreshToken: stringField(body, 'refresh_token') })
  }

  /** The client authentication, chosen once (`chooseClientAuthMethod`) and kept. */
  #authentication(metadata: OidcProviderMetadata): Promise<oauth.ClientAuth> {
    const { provider, clientSecret, privateKey } = this.options
    if (!this.#clientAuth) {
      const method = chooseClientAuthMethod(
        provider,
        this.options.clientAuth,
        metadata.tokenEndpointAuthMethods,
        privateKey !== undefined,
      )
      this.#clientAuth = { method, auth: clientAuthFor(provider, method, clientSecret, privateKey) }
    }
    return this.#clientAuth.auth
  }

  #requestOptions(endpoint: string | undefined): {
    [oauth.customFetch]: GuardedFetch
    [oauth.allowInsecureRequests]: boolean
  } {
    return { [oauth.customFetch]: this.#fetch, [oauth.allowInsecureRequests]: this.#insecure(endpoint) }
  }

  /** http is only ever allowed on loopback (`parseOidcMetadata` refused anything else). */
  #insecure(endpoint: string | undefined): boolean {
    return endpoint !== undefined && isLoopbackHttp(new URL(endpoint))
  }

  async #stepAsync<T>(step: OidcStep, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw await toUpstreamError(this.options.provider, step, error)
    }
  }

  #now(): number {
    return (this.options.now ?? Date.now)()
  }
}
