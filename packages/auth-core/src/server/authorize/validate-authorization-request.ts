import { OAuthError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
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
 * The whole `/authorize` validation, shared by the consent form (which re-validates what the page
 * carried): trust the client and redirect URI first, then every other check in order; the first
 * failure wins. Store failures propagate (the caller answers 503).
 */
export async function validateAuthorizationRequest(
  params: ParamReader,
  context: AuthContext,
  resource: string,
): Promise<AuthorizationCheck> {
  const trust = await checkClient(params, context)
  if (!trust.trusted) return { outcome: 'page', status: 400, message: trust.message }
  const { client, redirectUri } = trust
  let state: string | undefined
  try {
    state = readState(params)
  } catch (error) {
    if (error instanceof OAuthError) return { outcome: 'redirect', redirectUri, state: undefined, error }
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
    if (error instanceof OAuthError) return { outcome: 'redirect', redirectUri, state, error }
    throw error
  }
}
