import { InvalidRequestError, OAuthError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { redirectUriProblem } from '../../oauth/redirect-uri.js'
import type { ClientRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'
import type { AuthorizationCheck } from './authorization-request.js'
import { checkClient } from './check-client.js'
import {
  checkGrantAllowed,
  checkPkce,
  checkResource,
  checkResponseType,
  checkScope,
  readState,
} from './check-request.js'

/**
 * Where an error found after the client and redirect URI are known goes: back to the client only
 * when the operator pre-registered it. A self-registered or metadata-document client's redirect
 * URI is vouched for by nobody, so before the user has approved, its errors are our own page
 * (RFC 9700 §4.11.2, OAuth 2.1 §7.12.2: no automatic redirect to an untrusted URI).
 */
function refusal(
  error: OAuthError,
  context: AuthContext,
  client: ClientRecord,
  redirectUri: string,
  state: string | undefined,
): AuthorizationCheck {
  if (context.clients.isPreRegistered(client.clientId))
    return { outcome: 'redirect', redirectUri, state, error }
  return {
    outcome: 'page',
    status: error.status === 401 ? 400 : error.status,
    message: `${error.description} (${error.code})`,
  }
}

/**
 * A URL client_id costs an outbound fetch of its metadata document; every check that needs no
 * client runs first, so a malformed request never makes us fetch anything (issue 15, point 2).
 * The client is not known yet, so a failure is a page.
 */
async function cheapChecksBeforeFetch(
  params: ParamReader,
  context: AuthContext,
  resource: string,
): Promise<AuthorizationCheck | undefined> {
  let clientId: string | undefined
  try {
    clientId = params.optional('client_id')
  } catch {
    return undefined // checkClient says why
  }
  if (clientId === undefined || !context.clients.isMetadataDocumentClient(clientId)) return undefined
  try {
    const redirectUri = params.required('redirect_uri')
    const problem = redirectUriProblem(redirectUri)
    if (problem) throw new InvalidRequestError(`The redirect_uri ${problem}`)
    readState(params)
    checkResponseType(params)
    checkPkce(params)
    checkResource(params, resource)
    return undefined
  } catch (error) {
    if (error instanceof OAuthError)
      return { outcome: 'page', status: 400, message: `${error.description} (${error.code})` }
    throw error
  }
}

/**
 * The whole `/authorize` validation, shared by the consent form (which re-validates what the page
 * carried): trust the client and redirect URI first, then every other check in order; the first
 * failure wins. Store failures propagate (the caller answers 503).
 */
export async function validateAuthorizationRequest(
  params: ParamReader,
  context: AuthContext,
  resource: string,
): Promise<AuthorizationCheck> {
  const early = await cheapChecksBeforeFetch(params, context, resource)
  if (early) return early
  const trust = await checkClient(params, context)
  if (!trust.trusted) return { outcome: 'page', status: 400, message: trust.message }
  const { client, redirectUri } = trust
  let state: string | undefined
  try {
    state = readState(params)
  } catch (error) {
    if (error instanceof OAuthError) return refusal(error, context, client, redirectUri, undefined)
    throw error
  }
  try {
    checkResponseType(params)
    checkGrantAllowed(client)
    const codeChallenge = checkPkce(params)
    const scopes = checkScope(params, client)
    const canonical = checkResource(params, resource)
    return {
      outcome: 'valid',
      request: { client, redirectUri, codeChallenge, scopes, resource: canonical, state },
    }
  } catch (error) {
    if (error instanceof OAuthError) return refusal(error, context, client, redirectUri, state)
    throw error
  }
}
