import { brandError, isInstance } from './brand.js'
/**
 * Our own OAuth errors: HTTP status, RFC error code, a public description and a private detail
 * for logs. RFC 6749 §5.2 (token endpoint), RFC 6750 §3.1 (resource server), RFC 7591 §3.2.2.
 */
export class OAuthError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  readonly status: number
  readonly code: string
  readonly description: string
  /** Never sent to the client; for logs only. Must not contain secrets. */
  readonly detail: string | undefined

  constructor(status: number, code: string, description: string, detail?: string, options?: ErrorOptions) {
    super(`${code}: ${description}`, options)
    this.name = new.target.name
    this.status = status
    this.code = code
    this.description = description
    this.detail = detail
  }

  /** The RFC 6749 §5.2 JSON body. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.description }
  }
}

const kind = (status: number, code: string) =>
  class extends OAuthError {
    constructor(description: string, detail?: string, options?: ErrorOptions) {
      super(status, code, description, detail, options)
    }
  }

export class InvalidRequestError extends kind(400, 'invalid_request') {}
/** 401 at the token endpoint when the client authenticated (or tried to), RFC 6749 §5.2. */
export class InvalidClientError extends kind(401, 'invalid_client') {}
export class InvalidGrantError extends kind(400, 'invalid_grant') {}
export class UnauthorizedClientError extends kind(400, 'unauthorized_client') {}
export class UnsupportedGrantTypeError extends kind(400, 'unsupported_grant_type') {}
export class UnsupportedResponseTypeError extends kind(400, 'unsupported_response_type') {}
export class UnsupportedTokenTypeError extends kind(400, 'unsupported_token_type') {}
export class InvalidScopeError extends kind(400, 'invalid_scope') {}
/** RFC 8707 §2: the `resource` is not one we serve. */
export class InvalidTargetError extends kind(400, 'invalid_target') {}
export class AccessDeniedError extends kind(403, 'access_denied') {}
export class ServerError extends kind(500, 'server_error') {}
export class TemporarilyUnavailableError extends kind(503, 'temporarily_unavailable') {}
/** RFC 6750 §3.1. */
export class InvalidTokenError extends kind(401, 'invalid_token') {}
export class InsufficientScopeError extends kind(403, 'insufficient_scope') {}
/** RFC 7591 §3.2.2. */
export class InvalidRedirectUriError extends kind(400, 'invalid_redirect_uri') {}
export class InvalidClientMetadataError extends kind(400, 'invalid_client_metadata') {}

brandError(OAuthError, 'oauth')
brandError(InvalidRequestError, 'oauth.invalid_request')
brandError(InvalidClientError, 'oauth.invalid_client')
brandError(InvalidGrantError, 'oauth.invalid_grant')
brandError(UnauthorizedClientError, 'oauth.unauthorized_client')
brandError(UnsupportedGrantTypeError, 'oauth.unsupported_grant_type')
brandError(UnsupportedResponseTypeError, 'oauth.unsupported_response_type')
brandError(UnsupportedTokenTypeError, 'oauth.unsupported_token_type')
brandError(InvalidScopeError, 'oauth.invalid_scope')
brandError(InvalidTargetError, 'oauth.invalid_target')
brandError(AccessDeniedError, 'oauth.access_denied')
brandError(ServerError, 'oauth.server_error')
brandError(TemporarilyUnavailableError, 'oauth.temporarily_unavailable')
brandError(InvalidTokenError, 'oauth.invalid_token')
brandError(InsufficientScopeError, 'oauth.insufficient_scope')
brandError(InvalidRedirectUriError, 'oauth.invalid_redirect_uri')
brandError(InvalidClientMetadataError, 'oauth.invalid_client_metadata')
