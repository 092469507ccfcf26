import { sha256 } from '../../crypto.js'
import { InvalidGrantError, InvalidScopeError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { missingScopes, parseScope } from '../../oauth/scopes.js'
import type { ClientRecord, TokenRecord } from '../../store/records.js'
import type { AuthContext, RequestUrls } from '../auth-context.js'
import { checkTokenResource } from './check-token-resource.js'
import { issueTokens, type TokenResponse } from './issue-tokens.js'
import { ReplayDetectedError } from './replay-detected-error.js'

/**
 * Checks a live refresh token before it is used up, so a request that fails for the client's own
 * mistake (another client, another audience, a wider scope) does not burn the token.
 */
function checkBinding(
  token: TokenRecord,
  client: ClientRecord,
  resource: string,
  scopes: readonly string[] | undefined,
): void {
  if (token.clientId !== client.clientId)
    throw new InvalidGrantError('The refresh token was issued to another client')
  if (token.resource !== resource)
    throw new InvalidGrantError('The refresh token was issued for another resource')
  const wider = scopes ? missingScopes(scopes, token.scopes) : []
  if (wider.length > 0) throw new InvalidScopeError(`The refresh token does not cover: ${wider.join(' ')}`)
}

/** Rotates the token once (atomic in the store). A reused token revokes its family (RFC 9700 §4.14.2). */
async function rotate(context: AuthContext, tokenHash: string): Promise<TokenRecord> {
  const now = context.clock.now()
  const result = await context.store.rotateRefreshToken(tokenHash, now)
  switch (result.outcome) {
    case 'rotated':
      return result.token
    case 'reused': {
      context.replays.mark(result.token.familyId, now)
      const revoked = await context.store.revokeFamily(result.token.familyId)
      throw new ReplayDetectedError(
        'refresh_token',
        result.token.clientId,
        revoked,
        'The refresh token was already used; every token of this grant is revoked',
      )
    }
    case 'revoked':
    case 'expired':
    case 'missing':
      throw new InvalidGrantError(
        'The refresh token is invalid, expired or revoked',
        `refresh token ${result.outcome}`,
      )
  }
}

/** `grant_type=refresh_token` (RFC 6749 §6) with rotation on every use (OAuth 2.1 §4.3.1). */
export async function refreshTokenGrant(
  context: AuthContext,
  client: ClientRecord,
  params: ParamReader,
  urls: RequestUrls,
): Promise<TokenResponse> {
  const refreshToken = params.required('refresh_token')
  checkTokenResource(params, urls.resource)
  const requested = params.optional('scope')
  const scopes = requested === undefined ? undefined : parseScope(requested)
  const tokenHash = sha256(refreshToken)
  const current = await context.store.getToken(tokenHash)
  if (current?.kind === 'refresh' && !current.consumed && !current.revoked)
    checkBinding(current, client, urls.resource, scopes)
  const token = await rotate(context, tokenHash)
  checkBinding(token, client, urls.resource, scopes)
  const session = await context.store.getSession(token.sessionId)
  if (!session || session.expiresAt <= context.clock.now())
    throw new InvalidGrantError('The sign-in session has ended')
  return issueTokens(context, {
    clientId: client.clientId,
    sessionId: token.sessionId,
    familyId: token.familyId,
    scopes: scopes && scopes.length > 0 ? scopes : token.scopes,
    resource: token.resource,
    withRefreshToken: true,
    sessionExpiresAt: session.expiresAt,
  })
}
