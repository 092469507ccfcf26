import type { OAuthError } from '../../errors/oauth-error.js'
import type { ClientRecord } from '../../store/records.js'

/** A validated authorization request (RFC 6749 §4.1.1 with PKCE and RFC 8707 `resource`). */
export interface AuthorizationRequest {
  readonly client: ClientRecord
  /** Exactly as the client sent it; the code is bound to this string (RFC 6749 §4.1.3). */
  readonly redirectUri: string
  /** PKCE S256 challenge (RFC 7636). */
  readonly codeChallenge: string
  readonly scopes: readonly string[]
  /** Always the canonical MCP URL (a `resource` the client sent was checked against it). */
  readonly resource: string
  readonly state: string | undefined
}

/**
 * The outcome of validating a request:
 * - `page`: the client or its redirect URI is not trusted, so the browser gets an error page and
 *   is never redirected (RFC 6749 §4.1.2.1);
 * - `redirect`: the error goes back to the trusted redirect URI;
 * - `valid`: go on.
 */
export type AuthorizationCheck =
  | { readonly outcome: 'page'; readonly status: number; readonly message: string }
  | {
      readonly outcome: 'redirect'
      readonly redirectUri: string
      readonly state: string | undefined
      readonly error: OAuthError
    }
  | { readonly outcome: 'valid'; readonly request: AuthorizationRequest }
