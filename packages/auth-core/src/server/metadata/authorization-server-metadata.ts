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
  /** MCP authorization 2025-11-25 §5.1.4: URL client_ids (Client ID Metadata Documents) are accepted. */
  readonly client_id_metadata_document_supported?: boolean
  /** RFC 8414 §2: algorithms of `private_key_jwt` assertions (only with metadata documents). */
  readonly token_endpoint_auth_signing_alg_values_supported?: readonly string[]
  readonly revocation_endpoint_auth_signing_alg_values_supported?: readonly string[]
}

/** What the metadata says about Client ID Metadata Documents. */
export interface MetadataDocumentSupport {
  readonly enabled: boolean
  /** Algorithms accepted in `private_key_jwt` client assertions. */
  readonly signingAlgorithms: readonly string[]
}

/**
 * Where our metadata is served (RFC 8414 §3.1): the well-known path, with the issuer's path (the
 * registration prefix) inserted after it: `/.well-known/oauth-authorization-server/oauth`.
 */
export function authorizationServerMetadataPath(prefix: string): string {
  return `/.well-known/oauth-authorization-server${prefix}`
}

const CLIENT_AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const
/** `private_key_jwt` is for metadata-document clients only (`/register` does not offer it). */
const WITH_PRIVATE_KEY_JWT = [...CLIENT_AUTH_METHODS, 'private_key_jwt'] as const

/**
 * Our metadata (RFC 8414): every endpoint under the one issuer spelling, PKCE S256 only (MCP
 * clients refuse to proceed without `code_challenge_methods_supported`), and RFC 9207 `iss`.
 * With `metadataDocuments`, `client_id_metadata_document_supported` says whether URL client_ids
 * are accepted (MCP authorization 2025-11-25 §5.1.4), and when they are, `private_key_jwt`.
 */
export function authorizationServerMetadata(
  issuer: string,
  scopes: readonly string[],
  metadataDocuments?: MetadataDocumentSupport,
): AuthorizationServerMetadata {
  const documents = metadataDocuments?.enabled === true
  const methods = documents ? WITH_PRIVATE_KEY_JWT : CLIENT_AUTH_METHODS
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: methods,
    revocation_endpoint_auth_methods_supported: methods,
    code_challenge_methods_supported: ['S256'],
    scopes_supported: scopes,
    authorization_response_iss_parameter_supported: true,
    ...(metadataDocuments ? { client_id_metadata_document_supported: documents } : {}),
    ...(documents
      ? {
          token_endpoint_auth_signing_alg_values_supported: metadataDocuments.signingAlgorithms,
          revocation_endpoint_auth_signing_alg_values_supported: metadataDocuments.signingAlgorithms,
        }
      : {}),
  }
}
