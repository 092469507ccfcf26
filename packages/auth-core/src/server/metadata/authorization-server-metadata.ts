/** RFC 8414 §2 authorization server metadata. */
export interface AuthorizationServerMetadata {
  readonly issuer: string
  readonly authorization_endpoint: string
  readonly token_endpoint: string
  readonly registration_endpoint: string
  readonly revocation_endpoint: string
  readonly response_types_supported: readonly string[]
  readonly response_modes_supported: readonly string[]
  readonly grant_types_supported: readonly string[]
  readonly token_endpoint_auth_methods_supported: readonly string[]
  readonly revocation_endpoint_auth_methods_supported: readonly string[]
  readonly code_challenge_methods_supported: readonly string[]
  readonly scopes_supported: readonly string[]
  readonly authorization_response_iss_parameter_supported: boolean
}

const CLIENT_AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const

/**
 * Our metadata (RFC 8414): every endpoint under the one issuer spelling, PKCE S256 only (MCP
 * clients refuse to proceed without `code_challenge_methods_supported`), and RFC 9207 `iss`.
 */
export function authorizationServerMetadata(
  issuer: string,
  scopes: readonly string[],
): AuthorizationServerMetadata {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    code_challenge_methods_supported: ['S256'],
    scopes_supported: scopes,
    authorization_response_iss_parameter_supported: true,
  }
}
