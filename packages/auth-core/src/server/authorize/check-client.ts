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
  const client = await context.clients.find(clientId)
  if (!client) {
    return {
      trusted: false,
      message: 'The application that sent you here is not registered with this server.',
    }
  }
  if (!redirectUriMatches(redirectUri, client.redirectUris)) {
    return { trusted: false, message: `The redirect_uri is not registered for ${client.clientName}.` }
  }
  return { trusted: true, client, redirectUri }
}
