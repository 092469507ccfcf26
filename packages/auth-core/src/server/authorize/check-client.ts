import { OAuthError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { redirectUriMatches } from '../../oauth/redirect-uri.js'
import type { ClientRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/** The client and redirect URI, once both are trusted; otherwise why not. */
export type TrustedClient =
  | { readonly trusted: true; readonly client: ClientRecord; readonly redirectUri: string }
  | { readonly trusted: false; readonly message: string }

/**
 * Steps 1–2 of `/authorize`: the client exists, and `redirect_uri` is one it registered (exact,
 * or loopback on any port: RFC 8252 §7.3). `redirect_uri` is always required: OAuth 2.1 lets it
 * be omitted for a single registered URI, but requiring it keeps the token request's check exact.
 */
export async function checkClient(params: ParamReader, context: AuthContext): Promise<TrustedClient> {
  let clientId: string
  let redirectUri: string
  try {
    clientId = params.required('client_id')
    redirectUri = params.required('redirect_uri')
  } catch (error) {
    if (error instanceof OAuthError) return { trusted: false, message: error.description }
    throw error
  }
  let client: ClientRecord | undefined
  try {
    client = await context.clients.find(clientId)
  } catch (error) {
    // A metadata-document client that cannot be had (fetch failed, document invalid, refused by
    // policy): an invalid_client page with the reason, never a redirect.
    if (error instanceof OAuthError)
      return { trusted: false, message: `${error.description} (${error.code})` }
    throw error
  }
  if (!client) {
    return {
      trusted: false,
      message: 'The application that sent you here is not registered with this server.',
    }
  }
  // A metadata document names its redirect URIs itself: exact string match only (MCP authorization
  // 2025-11-25 §5.1.1), no loopback port leeway.
  const registered = context.clients.isMetadataDocumentClient(clientId)
    ? client.redirectUris.includes(redirectUri)
    : redirectUriMatches(redirectUri, client.redirectUris)
  if (!registered) {
    return { trusted: false, message: `The redirect_uri is not registered for ${client.clientName}.` }
  }
  return { trusted: true, client, redirectUri }
}
