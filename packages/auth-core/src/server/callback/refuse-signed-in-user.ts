import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendRefusalHandover } from '../../html/refusal-page.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'
import type { UpstreamTokens, UpstreamUser } from '../../provider.js'
import type { TransactionRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/**
 * Refuses a user who signed in upstream and approved, but may not have a token (an allowlist, no
 * grantable scope, no accessible Atlassian site). The user's fresh upstream token is revoked at
 * the provider where it allows that (we will never use it), then the browser goes back to the
 * client's validated redirect URI with `error=access_denied` (RFC 6749 §4.1.2.1) and the reason.
 * Nothing is stored: no session, no code.
 */
export async function refuseSignedInUser(
  context: AuthContext,
  request: FastifyRequest,
  reply: FastifyReply,
  signedIn: { readonly tokens: UpstreamTokens; readonly user?: UpstreamUser },
  transaction: TransactionRecord,
  refusal: { readonly reason: string; readonly rule: string; readonly issuer: string },
): Promise<FastifyReply> {
  const { provider } = context
  request.log.warn(
    {
      username: signedIn.user?.username,
      userId: signedIn.user?.userId,
      provider: provider.id,
      rule: refusal.rule,
    },
    'sign-in refused',
  )
  if (provider.revoke) {
    try {
      await provider.revoke(signedIn.tokens)
    } catch (error) {
      request.log.warn(
        { provider: provider.id, err: error },
        'could not revoke the refused user’s upstream token',
      )
    }
  }
  const target = clientRedirectUrl(
    transaction.redirectUri,
    { error: 'access_denied', error_description: refusal.reason, state: transaction.clientState },
    refusal.issuer,
  )
  return sendRefusalHandover(reply, target, refusal.reason)
}
