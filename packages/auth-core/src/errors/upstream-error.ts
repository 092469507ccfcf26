import { brandError, isInstance } from './brand.js'
/**
 * The closed set of failures an upstream identity provider can cause. Providers throw only these;
 * auth-core maps them for the MCP client (RFC 6749 §4.1.2.1): an OAuth error from the provider →
 * `access_denied`, an unreachable or failing provider → `temporarily_unavailable`, an answer we
 * cannot use → `server_error`. Messages never carry a token or secret; `cause` keeps the origin.
 */
export abstract class UpstreamError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  abstract readonly kind: 'oauth' | 'unavailable' | 'response'
  /** The provider id (`github`, …). */
  readonly provider: string
  constructor(provider: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.provider = provider
  }
}

/** The provider answered with an OAuth error (`error=access_denied`, `invalid_grant`, …). */
export class UpstreamOAuthError extends UpstreamError {
  readonly kind = 'oauth' as const
  readonly code: string
  readonly upstreamDescription: string | undefined
  constructor(provider: string, code: string, description?: string, options?: ErrorOptions) {
    super(provider, `${provider} answered ${code}${description ? `: ${description}` : ''}`, options)
    this.code = code
    this.upstreamDescription = description
  }
}

/** The provider could not be reached, timed out, or answered 5xx. */
export class UpstreamUnavailableError extends UpstreamError {
  readonly kind = 'unavailable' as const
  readonly status: number | undefined
  constructor(provider: string, message: string, status?: number, options?: ErrorOptions) {
    super(provider, message, options)
    this.status = status
  }
}

/** The provider answered something we cannot use (not JSON, missing fields, unexpected status). */
export class UpstreamResponseError extends UpstreamError {
  readonly kind = 'response' as const
  readonly status: number | undefined
  constructor(provider: string, message: string, status?: number, options?: ErrorOptions) {
    super(provider, message, options)
    this.status = status
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError
}

brandError(UpstreamError, 'upstream')
brandError(UpstreamOAuthError, 'upstream.oauth')
brandError(UpstreamUnavailableError, 'upstream.unavailable')
brandError(UpstreamResponseError, 'upstream.response')
