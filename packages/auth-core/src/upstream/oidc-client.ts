import { decodeJwt } from 'jose'
import { UpstreamResponseError } from '../errors/upstream-error.js'
import { UpstreamIdentityChangedError } from '../identity/identity-changed-error.js'
import type {
  AuthorizationResponseIssuer,
  AuthorizationUrlParams,
  ProviderLog,
  UpstreamTokens,
} from '../provider.js'
import { chooseClientAuthMethod, type UpstreamClientAuthMethod } from './client-auth-method.js'
import { asRecord } from './http.js'
import { type IdTokenClaims, verifyIdToken } from './id-token.js'
import { JwksCache } from './jwks-cache.js'
import { OAuth2Client } from './oauth2-client.js'
import { OidcDiscovery } from './oidc-discovery.js'
import type { OidcProviderMetadata } from './oidc-metadata.js'
import { nonceFromChallenge, nonceFromVerifier } from './oidc-nonce.js'
import type { ClientAssertionKey } from './private-key-jwt.js'

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
}

/**
 * The longest ID token we accept (64 KiB): it is kept (encrypted) with the session, so its size
 * is bounded like every claim; a real one, even with a few hundred groups, is far smaller.
 */
export const MAX_ID_TOKEN_LENGTH = 64 * 1024

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
 * discovery): endpoints from OIDC Discovery 1.0, the code flow with PKCE S256 and a nonce
 * (OIDC Core §3.1), ID token validation against the provider's keys (§3.1.3.7), user info whose
 * `sub` must match the ID token's (§5.3.4), refresh (§12) and RFC 7009 revocation.
 */
export class OidcClient {
  readonly options: OidcClientOptions
  readonly discovery: OidcDiscovery
  #jwks: { readonly uri: string; readonly cache: JwksCache } | undefined
  #oauth2: { readonly metadata: OidcProviderMetadata; readonly client: OAuth2Client } | undefined
  /** The client authentication method, chosen at the first discovery and kept for the life of the process. */
  #clientAuth: UpstreamClientAuthMethod | undefined

  constructor(options: OidcClientOptions) {
    this.options = options
    this.discovery = new OidcDiscovery({
      ...this.#http(),
      issuer: options.issuer,
      ttlMs: options.discoveryTtlMs,
      now: options.now,
      log: options.log,
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

  /** The plain OAuth 2.0 client for the discovered endpoints. */
  async oauth2(): Promise<OAuth2Client> {
    const metadata = await this.metadata()
    this.#clientAuth ??= chooseClientAuthMethod(
      this.options.provider,
      this.options.clientAuth,
      metadata.tokenEndpointAuthMethods,
      this.options.privateKey !== undefined,
    )
    const clientAuth = this.#clientAuth
    if (clientAuth === 'private_key_jwt' && !this.options.privateKey)
      throw new UpstreamResponseError(
        this.options.provider,
        `${this.options.provider}: private_key_jwt needs private_key`,
      )
    if (this.#oauth2?.metadata !== metadata) {
      const client = new OAuth2Client({
        ...this.#http(),
        clientId: this.options.clientId,
        clientSecret: this.options.clientSecret,
        authUrl: metadata.authorizationEndpoint,
        tokenUrl: metadata.tokenEndpoint,
        revokeUrl: metadata.revocationEndpoint,
        clientAuth,
        ...(this.options.privateKey
          ? { assertion: { key: this.options.privateKey, audience: metadata.issuer } }
          : {}),
        requireBearer: true,
        now: this.options.now,
      })
      this.#oauth2 = { metadata, client }
    }
    return this.#oauth2.client
  }

  /** The authorization URL (OIDC Core §3.1.2.1) with PKCE S256 and, for OpenID, a nonce. */
  async authorizationUrl(params: AuthorizationUrlParams, extra: Record<string, string> = {}): Promise<URL> {
    const nonce: Record<string, string> = this.openid
      ? { nonce: nonceFromChallenge(params.codeChallenge) }
      : {}
    return (await this.oauth2()).authorizationUrl(params, this.options.scope, { ...nonce, ...extra })
  }

  /** Exchanges the code; with `openid`, the ID token must be there and valid (OIDC Core §3.1.3.3, §3.1.3.7). */
  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<UpstreamTokens> {
    const tokens = this.#bounded(await (await this.oauth2()).exchangeCode(code, codeVerifier, redirectUri))
    if (this.openid) {
      if (!tokens.idToken)
        throw new UpstreamResponseError(
          this.options.provider,
          `${this.options.provider} token response has no id_token`,
        )
      try {
        await this.verifyIdToken(tokens.idToken, { nonce: nonceFromVerifier(codeVerifier) })
      } catch (error) {
        // Tokens we will not use should not stay alive upstream; revocation is best effort here.
        await this.revoke(tokens).catch(() => undefined)
        throw error
      }
    }
    return tokens
  }

  /** Validates an ID token against the discovered issuer and keys. */
  async verifyIdToken(
    idToken: string,
    expect: { nonce?: string; subject?: string } = {},
  ): Promise<IdTokenClaims> {
    const metadata = await this.metadata()
    return verifyIdToken(idToken, this.#keys(metadata).getKey, {
      provider: this.options.provider,
      issuer: metadata.issuer,
      clientId: this.options.clientId,
      algorithms: metadata.idTokenSigningAlgs,
      now: this.options.now,
      ...expect,
    })
  }

  /**
   * The user's claims: from the UserInfo endpoint when there is one, whose `sub` must equal the ID
   * token's (OIDC Core §5.3.4), else from the ID token itself. The ID token in `tokens` was
   * validated when it was received (exchange or refresh); it may have expired since, so here it
   * is only decoded.
   */
  async userInfoClaims(tokens: UpstreamTokens): Promise<Record<string, unknown>> {
    const { provider } = this.options
    const metadata = await this.metadata()
    const idClaims = tokens.idToken ? this.#decode(tokens.idToken) : undefined
    if (!metadata.userinfoEndpoint) {
      if (!idClaims)
        throw new UpstreamResponseError(provider, `${provider} has no userinfo endpoint and gave no ID token`)
      return Object.fromEntries(
        Object.entries(idClaims).filter(([claim]) => !PROTOCOL_CLAIMS.includes(claim)),
      )
    }
    const body = await (await this.oauth2()).getJson(metadata.userinfoEndpoint, tokens.accessToken)
    const claims = asRecord(body, provider, 'user info')
    if (idClaims && claims['sub'] !== idClaims['sub']) {
      throw new UpstreamIdentityChangedError(provider, 'the user info sub is not the ID token sub')
    }
    return claims
  }

  /**
   * Refreshes (OIDC Core §12); a new ID token must be valid and about the same user (§12.2: same
   * `iss` and `sub`), else `UpstreamIdentityChangedError`, and the tokens are not returned (the
   * session code ends the session; nothing of the response is stored).
   */
  async refresh(tokens: UpstreamTokens): Promise<UpstreamTokens> {
    const fresh = this.#bounded(await (await this.oauth2()).refresh(tokens))
    if (fresh.idToken && fresh.idToken !== tokens.idToken) {
      const before = tokens.idToken ? this.#decode(tokens.idToken) : undefined
      const after = this.#decode(fresh.idToken)
      if (before && (after.sub !== before.sub || after.iss !== before.iss)) {
        await this.revoke(fresh).catch(() => undefined)
        throw new UpstreamIdentityChangedError(
          this.options.provider,
          'the refreshed ID token names another sub or iss',
        )
      }
      await this.verifyIdToken(fresh.idToken, before?.sub === undefined ? {} : { subject: before.sub })
    }
    // Most providers send no new ID token on refresh; the first one still names the user.
    return { ...fresh, idToken: fresh.idToken ?? tokens.idToken }
  }

  /** RFC 7009 revocation, when the provider announces a `revocation_endpoint`; else nothing to do. */
  async revoke(tokens: UpstreamTokens): Promise<void> {
    await (await this.oauth2()).revoke(tokens)
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

  #keys(metadata: OidcProviderMetadata): JwksCache {
    if (this.#jwks?.uri !== metadata.jwksUri) {
      const cache = new JwksCache({ ...this.#http(), jwksUri: metadata.jwksUri, now: this.options.now })
      this.#jwks = { uri: metadata.jwksUri, cache }
    }
    return this.#jwks.cache
  }

  /** Refuses an ID token over `MAX_ID_TOKEN_LENGTH`: it would be stored with the session. */
  #bounded(tokens: UpstreamTokens): UpstreamTokens {
    if (tokens.idToken && tokens.idToken.length > MAX_ID_TOKEN_LENGTH)
      throw new UpstreamResponseError(
        this.options.provider,
        `${this.options.provider} ID token is over ${MAX_ID_TOKEN_LENGTH} characters`,
      )
    return tokens
  }

  #decode(idToken: string): ReturnType<typeof decodeJwt> {
    try {
      return decodeJwt(idToken)
    } catch (cause) {
      throw new UpstreamResponseError(
        this.options.provider,
        `${this.options.provider} ID token is not a JWT`,
        undefined,
        { cause },
      )
    }
  }

  #http(): { provider: string; fetch: typeof fetch | undefined; timeoutMs: number | undefined } {
    return { provider: this.options.provider, fetch: this.options.fetch, timeoutMs: this.options.timeoutMs }
  }
}
