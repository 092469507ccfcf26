/** The fake identity provider's endpoints, as named in counters and failure switches. */
export type FakeIdpEndpoint = 'authorize' | 'token' | 'userinfo' | 'revoke'

/**
 * How an endpoint misbehaves when switched:
 * - `deny`: an OAuth refusal (`error=access_denied` on the redirect, `invalid_grant` at the
 *   token endpoint, 401 at userinfo);
 * - `server-error`: HTTP 500;
 * - `garbage`: HTTP 200 with a body that is not JSON;
 * - `slow`: answers normally after `slowMs` (for timeout tests).
 */
export type FakeIdpFailure = 'deny' | 'server-error' | 'garbage' | 'slow'

/** The user the fake provider logs in automatically. */
export interface FakeIdpUser {
  readonly sub: string
  readonly login: string
  readonly email?: string | undefined
  readonly name?: string | undefined
  readonly organizations?: readonly string[] | undefined
}

export interface FakeIdpOptions {
  /** Our static client at the provider. Default `fake-client-id` / `fake-client-secret`. */
  readonly clientId?: string
  readonly clientSecret?: string
  readonly user?: FakeIdpUser
  /** `expires_in` of access tokens, seconds; 0 leaves it out (tokens then never expire). Default 3600. */
  readonly accessTokenTtlSeconds?: number
  /** Issue refresh tokens (default true). */
  readonly issueRefreshTokens?: boolean
  /** Rotate refresh tokens on use (default true): the old one then answers `invalid_grant`. */
  readonly rotateRefreshTokens?: boolean
  /** Refuse authorization requests without PKCE S256 (default true). */
  readonly requirePkce?: boolean
  /** Render a login page with Sign in / Cancel buttons instead of logging in at once. */
  readonly interactive?: boolean
  /** Delay of the `slow` failure mode, ms. Default 2000. */
  readonly slowMs?: number
  /** The provider's clock (epoch ms), to share a fake clock with the code under test. */
  readonly now?: () => number
}

/** One request the provider received. Parameters are kept as sent (test data only). */
export interface FakeIdpRequest {
  readonly endpoint: FakeIdpEndpoint
  readonly method: string
  readonly params: Readonly<Record<string, string>>
  /** The `Authorization` header's scheme (`Basic`, `Bearer`), never its credentials. */
  readonly authScheme: string | undefined
}
