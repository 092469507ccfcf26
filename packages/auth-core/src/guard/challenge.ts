export interface ChallengeParams {
  /** RFC 6750 §3.1 code; left out when the request carried no token at all. */
  readonly error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined
  readonly description?: string | undefined
  /** The scopes needed (MCP authorization §4.2 / §10.1.1). */
  readonly scope?: string | undefined
}

/** Quoted-string per RFC 9110 §5.6.4 (our values never need it, but be safe). */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`
}

/**
 * The `WWW-Authenticate` value of a 401/403: `Bearer` first and only (the MCP SDK parses only a
 * leading Bearer challenge), `resource_metadata` always (RFC 9728 §5.1), then `error`,
 * `error_description` and `scope` when known.
 */
export function bearerChallenge(resourceMetadataUrl: string, params: ChallengeParams = {}): string {
  const parts = [`resource_metadata=${quote(resourceMetadataUrl)}`]
  if (params.error) parts.push(`error=${quote(params.error)}`)
  if (params.description) parts.push(`error_description=${quote(params.description)}`)
  if (params.scope) parts.push(`scope=${quote(params.scope)}`)
  return `Bearer ${parts.join(', ')}`
}
