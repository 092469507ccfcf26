import type { FastifyReply, FastifyRequest } from 'fastify'
import { emitEvent, type SignInStep } from '../../events/auth-events.js'
import { sendRefusalHandover } from '../../html/refusal-page.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'
import type { UpstreamTokens, UpstreamUser } from '../../provider.js'
import type { TransactionRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/** Which rule refused the user: an allowlist, the scope grants, or the provider itself. */
export type RefusalRule = 'allowlist' | 'scope_grants' | 'provider'

/** The sign-in step each refusal is reported at (log lines and the audit trail). */
const STEP_OF_RULE: Record<RefusalRule, SignInStep> = {
  allowlist: 'allowlist',
  scope_grants: 'scope grant',
  provider: 'user info',
}

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
  refusal: { readonly reason: string; readonly rule: RefusalRule; readonly issuer: string },
): Promise<FastifyReply> {
  const step = STEP_OF_RULE[refusal.rule]
  const { provider } = context
  const who = {
    provider: provider.id,
    clientId: transaction.clientId,
    userId: signedIn.user?.userId,
    username: signedIn.user?.username,
  }
  request.log.warn({ ...who, step, problem: 'not_allowed', reason: refusal.reason }, 'sign-in refused')
  emitEvent(context.events, {
    type: 'sign_in',
    status: 'refused',
    ...who,
    step,
    reason: refusal.reason,
    requestId: request.id,
  })
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
