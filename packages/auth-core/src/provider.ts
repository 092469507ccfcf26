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
  /** Set only when the provider says the address is verified (`isVerifiedEmail`). */
  readonly email?: string | undefined
  readonly name?: string | undefined
  /** Organizations or groups, where the provider tells (GitHub `read:org`). */
  readonly organizations?: readonly string[] | undefined
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

export type ProviderFactory<Config = unknown> = (
  config: Config,
  options?: ProviderRuntimeOptions,
) => UpstreamProvider

/** The providers the server can pick from by `auth.provider`. */
export class ProviderRegistry {
  readonly #factories = new Map<string, ProviderFactory<never>>()

  register<Config>(id: string, factory: ProviderFactory<Config>): this {
    this.#factories.set(id, factory as ProviderFactory<never>)
    return this
  }

  has(id: string): boolean {
    return this.#factories.has(id)
  }

  /** Builds the provider named `id`; throws a clear error if none was registered under that name. */
  create(id: string, config: unknown, options?: ProviderRuntimeOptions): UpstreamProvider {
    const factory = this.#factories.get(id) as ProviderFactory<unknown> | undefined
    if (!factory) {
      const known = [...this.#factories.keys()].join(', ') || 'none'
      throw new Error(`No identity provider "${id}" is installed (installed: ${known})`)
    }
    return factory(config, options)
  }
}
