import { sha256 } from '../../crypto.js'
import { InvalidGrantError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { verifyPkce } from '../../oauth/pkce.js'
import type { ClientRecord, CodeRecord } from '../../store/records.js'
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

/** RFC 6749 §4.1.3 + RFC 7636 §4.6: the code belongs to this client, this redirect URI, this verifier and this audience. */
function checkBinding(
  code: CodeRecord,
  client: ClientRecord,
  redirectUri: string,
  verifier: string,
  resource: string,
): void {
  if (code.clientId !== client.clientId)
    throw new InvalidGrantError('The authorization code was issued to another client')
  if (code.redirectUri !== redirectUri)
    throw new InvalidGrantError('redirect_uri does not match the authorization request')
  if (!verifyPkce(verifier, code.codeChallenge))
    throw new InvalidGrantError('PKCE verification failed (code_verifier does not match)')
  if (code.resource !== resource)
    throw new InvalidGrantError('The authorization code was issued for another resource')
}

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, OAuth 2.1 §4.1.3). The code is used up and its
 * tokens saved in one store transaction (`exchangeCode`), so a process killed in between leaves
 * either an unused code or a used code with its tokens. A code that fails its binding checks is
 * used up with nothing issued. A code used before is a replay: every token it issued is revoked
 * (RFC 6749 §4.1.2, RFC 9700 §4.2.4) and the request fails; except the same client with the same
 * PKCE verifier within `auth.refresh_grace_period` while none of those tokens was used, which is a
 * lost response: the undelivered tokens are revoked and new ones issued.
 */
export async function authorizationCodeGrant(
  context: AuthContext,
  client: ClientRecord,
  params: ParamReader,
  urls: RequestUrls,
): Promise<TokenResponse> {
  const code = params.required('code')
  const redirectUri = params.required('redirect_uri')
  const verifier = params.required('code_verifier')
  checkTokenResource(params, urls.resource)
  const now = context.clock.now()
  let refusal: unknown
  let minted: MintedTokens | undefined
  let renewal: Promise<void> | undefined
  const graceMs = context.auth.refresh_grace_period * 1000
  const result = await context.store.exchangeCode(sha256(code), now, graceMs, (record, session) => {
    try {
      checkBinding(record, client, redirectUri, verifier, urls.resource)
      const live = liveSession(session, now)
      minted = mintTokens(
        context,
        {
          clientId: client.clientId,
          sessionId: record.sessionId,
          familyId: record.familyId,
          scopes: record.scopes,
          resource: record.resource,
          withRefreshToken: client.grantTypes.includes('refresh_token'),
          sessionExpiresAt: live.expiresAt,
        },
        now,
      )
      // The code is usable and bound to this client: renew its lease before the commit.
      renewal = renewLease(context, client.clientId)
      return minted.records
    } catch (error) {
      refusal = error
      return []
    }
  })
  switch (result.outcome) {
    case 'consumed':
      if (refusal !== undefined || !minted) throw refusal
      return deliver(minted, result.tokens, renewal)
    case 'declined':
      throw refusal
    case 'replayed': {
      const revoked = await context.store.revokeFamily(result.code.familyId)
      throw new ReplayDetectedError(
        'authorization_code',
        result.code.clientId,
        revoked,
        'The authorization code was already used; the tokens issued from it are revoked',
      )
    }
    case 'expired':
    case 'missing':
      throw new InvalidGrantError(
        'The authorization code is invalid or has expired',
        `code ${result.outcome}`,
      )
  }
}
