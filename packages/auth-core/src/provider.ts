import type { Clock } from './clock.js'

/** Tokens an upstream identity provider gave us. Times are epoch milliseconds. */
export interface UpstreamTokens {
  readonly accessToken: string
  readonly refreshToken?: string | undefined
  /** When the access token dies; undefined when the provider does not say (Salesforce, classic GitHub). */
  readonly expiresAt?: number | undefined
  readonly idToken?: string | undefined
  readonly scope?: string | undefined
  /** Non-secret extras a provider needs later (Salesforce `instance_url` and identity `id`). */
  readonly extra?: Readonly<Record<string, string>> | undefined
}

/** One user, mapped from any provider's profile. */
export interface UpstreamUser {
  /**
   * The provider's immutable id of the user (OIDC: `sub`). Together with `issuer` it is the
   * identity a session is pinned to (`guard/identity-pin.ts`).
   */
  readonly userId: string
  /** What `get_username()` returns; decides `allowed_users` (with `userId`), so it must be unique. */
  readonly username: string
  /** Set only when the provider says the address is verified (`isVerifiedEmail`; GitHub: primary and verified). */
  readonly email?: string | undefined
  readonly name?: string | undefined
  /** Organizations, where the provider tells (GitHub `read:org` logins, the Salesforce org id). */
  readonly organizations?: readonly string[] | undefined
  /** Groups (OIDC `groups`, Keycloak's group membership mapper). */
  readonly groups?: readonly string[] | undefined
  /** Roles (Keycloak realm roles, and client roles as `client:role`). */
  readonly roles?: readonly string[] | undefined
  /**
   * Provider facts a deployment needs in SQL (`get_user_attribute(name)`): Salesforce
   * `instance_url`, Atlassian `cloud_ids` / `site_urls`, Google `hd`. Strings only.
   */
  readonly attributes?: Readonly<Record<string, string>> | undefined
  /** The issuer that vouches for `userId`, for OpenID providers (OIDC Core §5.7: `sub` is unique per issuer). */
  readonly issuer?: string | undefined
  readonly rawProfile: Readonly<Record<string, unknown>>
}

/**
 * What the authorization response's `iss` parameter must be (RFC 9207 §2.4): `issuer`, and
 * whether it must be present (`required`: the provider announced
 * `authorization_response_iss_parameter_supported`).
 */
export interface AuthorizationResponseIssuer {
  readonly issuer: string
  readonly required: boolean
}

export interface AuthorizationUrlParams {
  /** Our state towards the provider (not the MCP client's). */
  readonly state: string
  /** PKCE S256 challenge towards the provider (RFC 7636). */
  readonly codeChallenge: string
  /** Our callback URL, absolute. */
  readonly redirectUri: string
}

/**
 * One upstream identity provider (the guide's `ExternalOAuthHandler`). We log the user in there
 * with our own static client; the MCP client never sees its tokens.
 * Every method throws only the `UpstreamError` set.
 */
export interface UpstreamProvider {
  /** The `auth.provider` value: `github`, `google`, … */
  readonly id: string
  /** Human name for messages: `GitHub`. */
  readonly label: string
  /** Path of our callback, e.g. `/github/callback`. */
  readonly callbackPath: string
  authorizationUrl(params: AuthorizationUrlParams): Promise<URL>
  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<UpstreamTokens>
  userInfo(tokens: UpstreamTokens): Promise<UpstreamUser>
  refresh?(tokens: UpstreamTokens): Promise<UpstreamTokens>
  revoke?(tokens: UpstreamTokens): Promise<void>
  /**
   * The form an id is compared in, applied to configured ids and to the provider's alike
   * (Salesforce: a 15-character id becomes its 18-character form). Default: unchanged.
   */
  canonicalId?(id: string): string
  /**
   * The issuer our callback checks the `iss` parameter against (RFC 9207 mix-up defence), for
   * providers that have one; undefined when the provider has no issuer identifier.
   */
  authorizationResponseIssuer?(): Promise<AuthorizationResponseIssuer | undefined>
}

/** What every provider factory may be given besides its config block. */
export interface ProviderRuntimeOptions {
  /** Replaces global fetch (tests, proxies). */
  readonly fetch?: typeof fetch
  /** Per-request timeout towards the provider, ms (default 10 000). */
  readonly timeoutMs?: number
  /** The clock `expiresAt` is computed with; the server passes the one auth-core uses. */
  readonly clock?: Clock
  /** Where a provider says what it does in the background (discovery retries); the plugin's logger fits. */
  readonly log?: ProviderLog | undefined
}

/** The part of a pino/Fastify logger a provider uses. */
export interface ProviderLog {
  info(details: Record<string, unknown>, message: string): void
  warn(details: Record<string, unknown>, message: string): void
}
