import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  AccessDeniedError,
  type OAuthError,
  ServerError,
  TemporarilyUnavailableError,
} from '../../errors/oauth-error.js'
import { emitEvent } from '../../events/auth-events.js'
import { sendSignInFailurePage } from '../../html/sign-in-failure-page.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'
import type { TransactionRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'
import { OPERATOR_PROBLEMS, type SignInFailure, type SignInProblem } from './sign-in-failure.js'

/** What the user reads for each problem the operator must fix. */
function pageMessage(problem: SignInProblem, label: string): string {
  switch (problem) {
    case 'credentials':
      return `${label} did not accept this server's credentials (its OAuth client id or secret). The server's operator needs to fix its configuration.`
    case 'callback_url':
      return `${label} did not accept this server's callback URL: it is not registered with the OAuth app, or the server's address is configured wrongly. The server's operator needs to fix its configuration.`
    case 'scopes':
      return `${label} did not grant the permissions (scopes) this server asks for. The server's operator needs to check the configured scopes.`
    default:
      return `${label} could not complete the sign-in.`
  }
}

/** What the MCP client hears (RFC 6749 §4.1.2.1); the request id lets its user find our log line. */
function clientError(failure: SignInFailure, label: string, requestId: string): OAuthError {
  const quote = ` (request id ${requestId})`
  if (failure.problem === 'unavailable') {
    return new TemporarilyUnavailableError(`${label} could not be reached; try again shortly${quote}`)
  }
  // The provider said no (an OAuth error) → access_denied; it said something unusable → server_error.
  if (failure.providerError === undefined && failure.problem === 'provider_error') {
    return new ServerError(`${label} sent an answer the server could not use${quote}`)
  }
  return new AccessDeniedError(`${label} did not authorize the sign-in${quote}`)
}

/** The warn line (no secret) and the audit event of one failed or refused sign-in. */
export function logSignInFailure(
  context: AuthContext,
  request: FastifyRequest,
  transaction: TransactionRecord,
  failure: SignInFailure,
): void {
  const { id: provider } = context.provider
  const { step, problem, providerError, providerDescription, detail } = failure
  request.log.warn(
    { provider, clientId: transaction.clientId, step, problem, providerError, providerDescription, detail },
    `sign-in failed at ${step}: ${problem.replace('_', ' ')}`,
  )
  emitEvent(context.events, {
    type: 'sign_in',
    status: problem === 'denied' ? 'refused' : 'failed',
    provider,
    clientId: transaction.clientId,
    step,
    reason: [problem, providerError].filter(Boolean).join(': '),
    requestId: request.id,
  })
}

/**
 * A failed sign-in at the callback: one warn line (provider, client, step, the provider's error
 * code and description, the request id; never a secret), an audit event, then the user's answer.
 * Problems only the operator can fix get a page naming the kind of problem and the request id
 * (with a link back to the application carrying the error); the others go back to the client
 * with the error, as RFC 6749 §4.1.2.1 says.
 */
export function reportSignInFailure(
  context: AuthContext,
  request: FastifyRequest,
  reply: FastifyReply,
  transaction: TransactionRecord,
  failure: SignInFailure,
  issuer: string,
): FastifyReply {
  logSignInFailure(context, request, transaction, failure)
  const { label } = context.provider
  const { problem } = failure
  const error = clientError(failure, label, request.id)
  const back = clientRedirectUrl(
    transaction.redirectUri,
    { error: error.code, error_description: error.description, state: transaction.clientState },
    issuer,
  )
  if (!OPERATOR_PROBLEMS.has(problem)) return reply.redirect(back.href, 302)
  return sendSignInFailurePage(reply, {
    status: 502,
    title: 'Sign-in failed',
    message: pageMessage(problem, label),
    requestId: request.id,
    backToClient: back,
  })
}
