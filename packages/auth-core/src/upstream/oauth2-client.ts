import { UpstreamOAuthError, UpstreamResponseError } from '../errors/upstream-error.js'
import type { AuthorizationUrlParams, ProviderRuntimeOptions, UpstreamTokens } from '../provider.js'
import type { UpstreamClientAuthMethod } from './client-auth-method.js'
import { secureEndpointUrl } from './endpoint-url.js'
import { asRecord, readJson, stringField, throwIfOAuthError, upstreamFetch } from './http.js'
import { isMissingScope } from './missing-scope.js'
import { readCappedText } from './read-capped-body.js'

export interface OAuth2ClientOptions {
  /** Provider id, for errors. */
  readonly provider: string
  readonly clientId: string
  readonly clientSecret: string
  readonly authUrl: string
  readonly tokenUrl: string
  readonly revokeUrl?: string | undefined
  /**
   * How we authenticate at the token endpoint (RFC 6749 §2.3.1). Default `client_secret_post`.
   * (`private_key_jwt` is for OpenID providers: `OidcClient` signs its assertions with oauth4webapi.)
   */
  readonly clientAuth?: Exclude<UpstreamClientAuthMethod, 'private_key_jwt'>
  /** RFC 6749 §5.1 / RFC 6750: refuse a token response whose `token_type` is not `Bearer`. */
  readonly requireBearer?: boolean | undefined
  /**
   * How `tokenRequest` encodes its parameters: `form` (RFC 6749 §4.1.3, the default) or `json`,
   * for authorization servers that document JSON token requests (Atlassian's Auth0-based one).
   */
  readonly tokenRequestBody?: 'form' | 'json' | undefined
  readonly fetch?: typeof fetch | undefined
  readonly timeoutMs?: number | undefined
  readonly now?: () => number
}

/**
 * The OAuth 2.0 client that standards-following providers share: authorization URL with PKCE
 * S256 (RFC 7636), code exchange, refresh and revocation (RFC 7009), with every failure mapped
 * to the upstream error set.
 */
export class OAuth2Client {
  readonly #options: OAuth2ClientOptions

  constructor(options: OAuth2ClientOptions) {
    this.#options = options
  }

  /**
   * The client of a provider package: its credentials (the provider's required options), its
   * endpoints (each must be https, or http on loopback; a problem names the configuration key,
   * `github.token_url`), and the plugin's runtime (`fetch`, `timeoutMs`, and the `clock` that
   * turns `expires_in` into `expiresAt`).
   */
  static forProvider(
    provider: string,
    settings: OAuth2ProviderSettings,
    runtime: ProviderRuntimeOptions,
    options: Pick<OAuth2ClientOptions, 'tokenRequestBody'> = {},
  ): OAuth2Client {
    const clock = runtime.clock
    return new OAuth2Client({
      ...options,
      provider,
      clientId: settings.clientId ?? '',
      clientSecret: settings.clientSecret ?? '',
      authUrl: secureEndpointUrl(`${provider}.auth_url`, settings.authUrl),
      tokenUrl: secureEndpointUrl(`${provider}.token_url`, settings.tokenUrl),
      revokeUrl:
        settings.revokeUrl === undefined
          ? undefined
          : secureEndpointUrl(`${provider}.revoke_url`, settings.revokeUrl),
      fetch: runtime.fetch,
      timeoutMs: runtime.timeoutMs,
      now: clock ? () => clock.now() : Date.now,
    })
  }

  /** The authorization URL, with `scope` and any provider-specific parameters. */
  authorizationUrl(params: AuthorizationUrlParams, scope: string, extra: Record<string, string> = {}): URL {
    const url = new URL(this.#options.authUrl)
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('client_id', this.#options.clientId)
    url.searchParams.set('redirect_uri', params.redirectUri)
    if (scope) url.searchParams.set('scope', scope)
    url.searchParams.set('state', params.state)
    url.searchParams.set('code_challenge', params.codeChallenge)
    url.searchParams.set('code_challenge_method', 'S256')
    for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value)
    return url
  }

  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<UpstreamTokens> {
    const body = await this.tokenRequest({
      grant_type: 'authorization_code',
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
    })
    return this.parseTokens(body)
  }

  /** Refreshes; keeps the old refresh token when the provider does not rotate it. */
  async refresh(tokens: UpstreamTokens): Promise<UpstreamTokens> {
    if (!tokens.refreshToken)
      throw new UpstreamOAuthError(this.#options.provider, 'invalid_grant', 'no refresh token')
    const body = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
    const fresh = this.parseTokens(body)
    return {
      ...fresh,
      refreshToken: fresh.refreshToken ?? tokens.refreshToken,
      extra: fresh.extra ?? tokens.extra,
    }
  }

  /**
   * RFC 7009 revocation of the refresh token if there is one (§2.1: that SHOULD also end the
   * access tokens of the same grant), else of the access token. Does nothing without a `revokeUrl`.
   */
  async revoke(tokens: UpstreamTokens): Promise<void> {
    if (!this.#options.revokeUrl) return
    if (tokens.refreshToken) await this.revokeToken(tokens.refreshToken, 'refresh_token')
    else await this.revokeToken(tokens.accessToken, 'access_token')
  }

  /**
   * One RFC 7009 §2.1 revocation request. 200 is success (§2.2, also for a token the provider no
   * longer knows); an error body (§2.2.1) becomes `UpstreamOAuthError`, any other status
   * `UpstreamResponseError`.
   */
  async revokeToken(token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
    const { provider, revokeUrl } = this.#options
    if (!revokeUrl) return
    const response = await upstreamFetch(
      revokeUrl,
      await this.#post({ token, token_type_hint: hint }),
      this.#http(),
    )
    if (response.status === 200) {
      await response.body?.cancel()
      return
    }
    const text = await readCappedText(response, provider)
    let body: unknown
    try {
      body = JSON.parse(text) as unknown
    } catch {
      body = undefined
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      throwIfOAuthError(asRecord(body, provider, 'revocation response'), provider)
    }
    throw new UpstreamResponseError(
      provider,
      `${provider} revocation answered ${response.status}`,
      response.status,
    )
  }

  /**
   * POSTs parameters to the token endpoint (form-encoded, or JSON with `tokenRequestBody: 'json'`)
   * with our client authentication; returns the JSON body.
   */
  async tokenRequest(
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const init = await this.#post(params, this.#options.tokenRequestBody)
    const response = await upstreamFetch(
      this.#options.tokenUrl,
      { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } },
      this.#http(),
    )
    const body = asRecord(
      await readJson(response, this.#options.provider),
      this.#options.provider,
      'token response',
    )
    throwIfOAuthError(body, this.#options.provider)
    if (response.status !== 200) {
      throw new UpstreamResponseError(
        this.#options.provider,
        `${this.#options.provider} token endpoint answered ${response.status}`,
        response.status,
      )
    }
    return body
  }

  /** GETs a JSON resource with the user's bearer token; a 401 means the upstream token is dead. */
  async getJson(url: string, accessToken: string, headers: Record<string, string> = {}): Promise<unknown> {
    const response = await upstreamFetch(
      url,
      { headers: { accept: 'application/json', authorization: `Bearer ${accessToken}`, ...headers } },
      this.#http(),
    )
    if (response.status === 403) {
      const body = await readCappedText(response, this.#options.provider, 4096).catch(() => '')
      if (isMissingScope(response, body))
        throw new UpstreamResponseError(
          this.#options.provider,
          `${this.#options.provider} ${new URL(url).pathname} answered 403 for a missing scope: add it to the provider's configured scope`,
          403,
        )
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => {})
      throw new UpstreamOAuthError(
        this.#options.provider,
        'invalid_token',
        `${new URL(url).pathname} answered ${response.status}`,
      )
    }
    if (response.status !== 200) {
      await response.body?.cancel()
      throw new UpstreamResponseError(
        this.#options.provider,
        `${this.#options.provider} ${new URL(url).pathname} answered ${response.status}`,
        response.status,
      )
    }
    return readJson(response, this.#options.provider)
  }

  /** Maps a token response body to `UpstreamTokens` (RFC 6749 §5.1). */
  parseTokens(body: Record<string, unknown>, extraKeys: readonly string[] = []): UpstreamTokens {
    const accessToken = stringField(body, 'access_token')
    if (!accessToken)
      throw new UpstreamResponseError(
        this.#options.provider,
        `${this.#options.provider} token response has no access_token`,
      )
    // RFC 6749 §5.1: token_type is REQUIRED and case-insensitive; we only know how to use Bearer.
    const tokenType = body['token_type']
    if (
      this.#options.requireBearer &&
      (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')
    )
      throw new UpstreamResponseError(
        this.#options.provider,
        `${this.#options.provider} token response has token_type ${JSON.stringify(tokenType ?? null).slice(0, 40)}, not Bearer`,
      )
    const expiresIn = Number(body['expires_in'])
    const extra: Record<string, string> = {}
    for (const key of extraKeys) {
      const value = stringField(body, key)
      if (value) extra[key] = value
    }
    return {
      accessToken,
      refreshToken: stringField(body, 'refresh_token'),
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.#now() + expiresIn * 1000 : undefined,
      idToken: stringField(body, 'id_token'),
      scope: stringField(body, 'scope'),
      extra: Object.keys(extra).length > 0 ? extra : undefined,
    }
  }

  async #post(params: Record<string, string>, encoding: 'form' | 'json' = 'form'): Promise<RequestInit> {
    const fields: Record<string, string> = { ...params }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    }
    if (this.#options.clientAuth === 'client_secret_basic') {
      // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
      const id = encodeURIComponent(this.#options.clientId)
      const secret = encodeURIComponent(this.#options.clientSecret)
      headers['authorization'] = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
    } else {
      fields['client_id'] = this.#options.clientId
      fields['client_secret'] = this.#options.clientSecret
    }
    if (encoding === 'json') {
      // Not RFC 6749 (which wants a form), but what `tokenRequestBody: 'json'` servers document.
      return {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      }
    }
    return { method: 'POST', headers, body: new URLSearchParams(fields) }
  }

  #http() {
    return {
      provider: this.#options.provider,
      fetch: this.#options.fetch,
      timeoutMs: this.#options.timeoutMs,
    }
  }

  #now(): number {
    return (this.#options.now ?? Date.now)()
  }
}

/** A provider's options that `OAuth2Client.forProvider` reads (camelCase, defaults filled). */
export interface OAuth2ProviderSettings {
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  readonly authUrl: string
  readonly tokenUrl: string
  readonly revokeUrl?: string | undefined
}
