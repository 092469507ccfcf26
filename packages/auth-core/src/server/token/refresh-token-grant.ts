import { sha256 } from '../../crypto.js'
import { InvalidGrantError, InvalidScopeError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { missingScopes, parseScope } from '../../oauth/scopes.js'
import type { ClientRecord, TokenRecord } from '../../store/records.js'
import type { AuthContext, RequestUrls } from '../auth-context.js'
import { checkTokenResource } from './check-token-resource.js'
import {
  deliver,
  liveSession,
  type MintedTokens,
  mintTokens,
  renewLease,
  type TokenResponse,
} from './issue-tokens.js'
import { ReplayDetectedError } from './replay-detected-error.js'

/**
 * Checks the refresh token's binding before it is used up, so a request that fails for the
 * client's own mistake (another client, another audience, a wider scope) does not burn the token.
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

/** Revokes the family of a reused refresh token (RFC 9700 §4.14.2) and fails the request. */
async function punishReuse(context: AuthContext, token: TokenRecord): Promise<never> {
  const revoked = await context.store.revokeFamily(token.familyId)
  throw new ReplayDetectedError(
    'refresh_token',
    token.clientId,
    revoked,
    'The refresh token was already used; every token of this grant is revoked',
  )
}

/**
 * `grant_type=refresh_token` (RFC 6749 §6) with rotation on every use (OAuth 2.1 §4.3.1). The old
 * token is used up and its successors saved in one store transaction (`rotateRefresh`). A token
 * replayed by its own client within `auth.refresh_grace_period` of its rotation, while its
 * successor is unused, yields a working pair (a lost response is not a theft); any other reuse
 * revokes the family.
 */
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
  const now = context.clock.now()
  const graceMs = context.auth.refresh_grace_period * 1000
  let refusal: unknown
  let minted: MintedTokens | undefined
  let renewal: Promise<void> | undefined
  const result = await context.store.rotateRefresh(sha256(refreshToken), now, graceMs, (token, session) => {
    try {
      checkBinding(token, client, urls.resource, scopes)
      const live = liveSession(session, now)
      minted = mintTokens(
        context,
        {
          clientId: client.clientId,
          sessionId: token.sessionId,
          familyId: token.familyId,
          scopes: scopes && scopes.length > 0 ? scopes : token.scopes,
          resource: token.resource,
          withRefreshToken: true,
          sessionExpiresAt: live.expiresAt,
        },
        now,
      )
      // The refresh token is usable and bound to this client: renew its lease before the commit.
      renewal = renewLease(context, client.clientId)
      return minted.records
    } catch (error) {
      refusal = error
      return undefined
    }
  })
  switch (result.outcome) {
    case 'rotated':
    case 'grace':
      if (!minted) throw new InvalidGrantError('The refresh token is invalid, expired or revoked')
      return deliver(minted, result.tokens, renewal)
    case 'declined':
      // A used token presented by another client, or for another audience: reuse all the same.
      if (result.token.consumed) return punishReuse(context, result.token)
      throw refusal
    case 'reused':
      return punishReuse(context, result.token)
    case 'revoked':
    case 'expired':
    case 'missing':
      throw new InvalidGrantError(
        'The refresh token is invalid, expired or revoked',
        `refresh token ${result.outcome}`,
      )
  }
}
