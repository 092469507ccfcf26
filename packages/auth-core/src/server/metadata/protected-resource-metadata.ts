/** RFC 9728 §2 protected resource metadata. */
export interface ProtectedResourceMetadata {
  readonly resource: string
  readonly authorization_servers: readonly string[]
  readonly scopes_supported: readonly string[]
  readonly bearer_methods_supported: readonly string[]
  readonly resource_name: string
}

/** The path of our protected resource metadata for the MCP path (RFC 9728 §3.1: path-inserted). */
export function protectedResourceMetadataPath(mcpPath: string): string {
  return `/.well-known/oauth-protected-resource${mcpPath}`
}

/**
 * Metadata of the MCP endpoint (RFC 9728): its canonical URL as `resource` (§3.3: identical to
 * the URL the metadata URL was built from), our issuer as its only authorization server, and
 * bearer tokens in the header only (RFC 6750 §2.1).
 */
export function protectedResourceMetadata(
  resource: string,
  issuer: string,
  scopes: readonly string[],
): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: scopes,
    bearer_methods_supported: ['header'],
    resource_name: 'MCP server',
  }
}
