import type { FastifyInstance, FastifyReply } from 'fastify'
import { allowlistRefusal } from '../../access/allowlist.js'
import { grantableScopes } from '../../access/scope-grants.js'
import { UpstreamAccountRefusedError } from '../../errors/account-refused-error.js'
import { AccessDeniedError, TemporarilyUnavailableError } from '../../errors/oauth-error.js'
import { isUpstreamError } from '../../errors/upstream-error.js'
import { emitEvent } from '../../events/auth-events.js'
import { sendErrorPage } from '../../html/error-page.js'
import { sendHandover } from '../../html/handover-page.js'
import { readCookie } from '../../http/cookies.js'
import { ParamReader } from '../../http/params.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'
import { formatScope } from '../../oauth/scopes.js'
import { oauthErrorForUpstream } from '../../oauth/upstream-error-mapping.js'
import type { UpstreamTokens, UpstreamUser } from '../../provider.js'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { redirectError } from '../authorize/respond-to-check.js'
import { readCallbackParams } from './callback-params.js'
import { issuerRefusal } from './check-issuer.js'
import { mintCode } from './mint-code.js'
import { refuseSignedInUser } from './refuse-signed-in-user.js'
import { logSignInFailure, reportSignInFailure } from './report-sign-in-failure.js'
import { SignInDeadlineError, withinSignInDeadline } from './sign-in-deadline.js'
import { callbackErrorFailure, upstreamFailure } from './sign-in-failure.js'
import { takeTransaction } from './take-transaction.js'

function invalidState(reply: FastifyReply, detail: string): FastifyReply {
  reply.log.warn({ reason: detail }, 'upstream callback refused')
  const message = `Invalid state parameter: ${detail}. Start the sign-in again from your application.`
  return sendErrorPage(reply, 400, 'Invalid state parameter', message)
}

/** Which upstream step a sign-in is at, for the log line when its deadline passes. */
interface SignInProgress {
  step: 'code exchange' | 'user info'
}

/** Debug lines of the callback: through the app's logger, since the route's own logs at warn only. */
type DebugLine = (fields: Record<string, unknown>, message: string) => void

/**
 * Step 2: the provider's code for its tokens, then the user. Throws nothing: a failure comes back
 * tagged with the step that failed, and an account the provider signed in but that cannot use this
 * server (no accessible Atlassian site, another Workspace) comes back as `refused`, with the tokens
 * to revoke.
 */
async function signInUpstream(
  context: AuthContext,
  code: string,
  verifier: string,
  redirectUri: string,
  debug: DebugLine,
  progress: SignInProgress,
): Promise<
  | { tokens: UpstreamTokens; user: UpstreamUser }
  | { tokens: UpstreamTokens; refused: UpstreamAccountRefusedError }
  | { failedAt: 'code exchange' | 'user info'; error: unknown }
> {
  let started = performance.now()
  let tokens: UpstreamTokens
  try {
    tokens = await context.provider.exchangeCode(code, verifier, redirectUri)
  } catch (error) {
    return { failedAt: 'code exchange', error }
  }
  debug({ provider: context.provider.id, ms: elapsed(started) }, 'upstream code exchanged')
  progress.step = 'user info'
  started = performance.now()
  try {
    const user = await context.provider.userInfo(tokens)
    debug(
      { provider: context.provider.id, userId: user.userId, ms: elapsed(started) },
      'upstream user fetched',
    )
    return { tokens, user }
  } catch (error) {
    if (error instanceof UpstreamAccountRefusedError) return { tokens, refused: error }
    return { failedAt: 'user info', error }
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10
}

/**
 * `GET <callback_path>`: the identity provider sends the browser back here. Consumes the
 * transaction, exchanges the code upstream, fetches the user, checks the allowlists, narrows the
 * requested scopes to those the user is granted (`scope_grants`), creates a session and redirects
 * to the client with our code, its `state` and `iss` (RFC 9207). A missing or invalid state fails
 * before anything goes upstream. Every failed or refused sign-in is one warn line naming the step
 * (see `reportSignInFailure`, `refuseSignedInUser`). A user refused after signing in upstream
 * (allowlist, no grantable scope, the provider's own refusal) goes back to the client with
 * `access_denied`; what only the operator can fix (credentials, callback URL, scopes) is a page
 * with the request id; the rest reaches the client as `access_denied` /
 * `temporarily_unavailable` / `server_error`, never as a 500.
 * The route logs at warn level only (its URL carries the provider's code); its debug lines go
 * through the app's logger.
 */
export function registerCallbackRoute(app: FastifyInstance, context: AuthContext): void {
  const { label, id } = context.provider
  app.get(context.provider.callbackPath, { logLevel: 'warn' }, async (request, reply) => {
    const debug: DebugLine = (fields, message) => app.log.debug({ reqId: request.id, ...fields }, message)
    const urls = requestUrls(context, request)
    const params = readCallbackParams(new ParamReader(request.query))
    if (!params.state) return invalidState(reply, 'the state parameter is missing')
    const taken = await takeTransaction(context, params.state, readCookie(request, 'login', urls.issuer))
    if ('problem' in taken) return invalidState(reply, taken.problem)
    const { transaction } = taken
    const back = { redirectUri: transaction.redirectUri, state: transaction.clientState }

    debug({ provider: id, clientId: transaction.clientId }, 'upstream callback received')

    let mixUp: string | undefined
    try {
      mixUp = await issuerRefusal(context.provider, params.iss)
    } catch (error) {
      if (!isUpstreamError(error)) throw error
      return redirectError(reply, 'redirect', back, oauthErrorForUpstream(error, label), urls.issuer)
    }
    if (mixUp) {
      const error = new AccessDeniedError(
        `The sign-in answer did not come from ${label}; start again from your application`,
        `authorization response refused (RFC 9207): ${mixUp}`,
      )
      return redirectError(reply, 'redirect', back, error, urls.issuer)
    }

    if (params.error) {
      const failure = callbackErrorFailure(params.error, params.errorDescription)
      return reportSignInFailure(context, request, reply, transaction, failure, urls.issuer)
    }
    if (!params.code) {
      const failure = {
        step: 'callback',
        problem: 'provider_error',
        detail: `${label} returned no authorization code`,
      } as const
      return reportSignInFailure(context, request, reply, transaction, failure, urls.issuer)
    }
    const progress: SignInProgress = { step: 'code exchange' }
    let signedIn: Awaited<ReturnType<typeof signInUpstream>>
    try {
      signedIn = await withinSignInDeadline(
        signInUpstream(
          context,
          params.code,
          transaction.upstreamCodeVerifier,
          urls.upstreamCallback,
          debug,
          progress,
        ),
        label,
        context.auth.sign_in_timeout,
      )
    } catch (error) {
      if (!(error instanceof SignInDeadlineError)) throw error
      // The user is told why; the client hears temporarily_unavailable (RFC 6749 §4.1.2.1).
      logSignInFailure(context, request, transaction, {
        step: progress.step,
        problem: 'unavailable',
        detail: error.message,
      })
      const notAnswering = new TemporarilyUnavailableError(
        `${label} is not answering; try again shortly (request id ${request.id})`,
      )
      const url = clientRedirectUrl(
        transaction.redirectUri,
        {
          error: notAnswering.code,
          error_description: notAnswering.description,
          state: transaction.clientState,
        },
        urls.issuer,
      )
      return sendHandover(reply, url, `${label} is not answering`, 'Return to the application')
    }
    if ('failedAt' in signedIn) {
      // The transaction is spent: whatever failed, the client hears it at its redirect URI
      // (RFC 6749 §4.1.2.1) instead of the browser stopping on a 500 page of ours.
      if (!isUpstreamError(signedIn.error))
        request.log.error({ err: signedIn.error }, 'upstream sign-in failed')
      // An answer we cannot use is most often our configuration (a scope the provider needs for
      // user info, say): the operator must read it, whatever the route's log level.
      else if (signedIn.error.kind === 'response')
        request.log.error(
          { provider: id, reason: signedIn.error.message },
          'sign-in failed: unusable provider answer',
        )
      const failure = isUpstreamError(signedIn.error)
        ? upstreamFailure(signedIn.failedAt, signedIn.error)
        : ({ step: signedIn.failedAt, problem: 'provider_error', detail: 'unexpected error' } as const)
      return reportSignInFailure(context, request, reply, transaction, failure, urls.issuer)
    }
    if ('refused' in signedIn) {
      const details = { reason: signedIn.refused.userMessage, rule: 'provider' as const, issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const { user } = signedIn
    const canonicalId = context.provider.canonicalId?.bind(context.provider)
    const refusal = allowlistRefusal(user, context.auth.authorization, canonicalId)
    if (refusal) {
      const details = { reason: refusal, rule: 'allowlist' as const, issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const scopes = grantableScopes(transaction.scopes, user, context.auth.authorization, canonicalId)
    if (scopes.length === 0) {
      const reason = `Your account is not granted any of the permissions the application asked for (${formatScope(transaction.scopes)}).`
      const details = { reason, rule: 'scope_grants' as const, issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const code = await mintCode(context, transaction, signedIn.tokens, user, scopes)
    // The route logs at warn (its URL carries the provider's code); a sign-in is news, not a warning.
    const who = { username: user.username, userId: user.userId, provider: id, clientId: transaction.clientId }
    app.log.info({ reqId: request.id, ...who }, 'user signed in')
    emitEvent(context.events, { type: 'sign_in', status: 'success', ...who, requestId: request.id })
    const target = clientRedirectUrl(
      transaction.redirectUri,
      { code, state: transaction.clientState },
      urls.issuer,
    )
    return reply.redirect(target.href, 302)
  })
}
