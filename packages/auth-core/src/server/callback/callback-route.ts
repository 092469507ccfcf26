import type { FastifyInstance, FastifyReply } from 'fastify'
import { allowlistRefusal } from '../../access/allowlist.js'
import { grantableScopes } from '../../access/scope-grants.js'
import { UpstreamAccountRefusedError } from '../../errors/account-refused-error.js'
import { AccessDeniedError, ServerError, TemporarilyUnavailableError } from '../../errors/oauth-error.js'
import { isUpstreamError } from '../../errors/upstream-error.js'
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
import { SignInDeadlineError, withinSignInDeadline } from './sign-in-deadline.js'
import { takeTransaction } from './take-transaction.js'

function invalidState(reply: FastifyReply, detail: string): FastifyReply {
  reply.log.warn({ reason: detail }, 'upstream callback refused')
  const message = `Invalid state parameter: ${detail}. Start the sign-in again from your application.`
  return sendErrorPage(reply, 400, 'Invalid state parameter', message)
}

/**
 * Step 2: the provider's code for its tokens, then the user (throws only the upstream error set).
 * An account the provider signed in but that cannot use this server (no accessible Atlassian
 * site, another Workspace) comes back as `refused`, with the tokens to revoke.
 */
async function signInUpstream(
  context: AuthContext,
  code: string,
  verifier: string,
  redirectUri: string,
): Promise<
  | { tokens: UpstreamTokens; user: UpstreamUser }
  | { tokens: UpstreamTokens; refused: UpstreamAccountRefusedError }
> {
  const tokens = await context.provider.exchangeCode(code, verifier, redirectUri)
  try {
    return { tokens, user: await context.provider.userInfo(tokens) }
  } catch (error) {
    if (error instanceof UpstreamAccountRefusedError) return { tokens, refused: error }
    throw error
  }
}

/**
 * `GET <callback_path>`: the identity provider sends the browser back here. Consumes the
 * transaction, exchanges the code upstream, fetches the user, checks the allowlists, narrows the
 * requested scopes to those the user is granted (`scope_grants`), creates a session and redirects
 * to the client with our code, its `state` and `iss` (RFC 9207). A refused user goes back to the
 * client with `access_denied` (see `refuseSignedInUser`). A missing
 * or invalid state fails before anything goes upstream; upstream failures reach the client as
 * `access_denied` / `temporarily_unavailable` / `server_error`, never as a 500.
 * The route logs at warn level only: its URL carries the provider's code.
 */
export function registerCallbackRoute(app: FastifyInstance, context: AuthContext): void {
  const { label, id } = context.provider
  app.get(context.provider.callbackPath, { logLevel: 'warn' }, async (request, reply) => {
    const urls = requestUrls(context, request)
    const params = readCallbackParams(new ParamReader(request.query))
    if (!params.state) return invalidState(reply, 'the state parameter is missing')
    const taken = await takeTransaction(context, params.state, readCookie(request, 'login', urls.issuer))
    if ('problem' in taken) return invalidState(reply, taken.problem)
    const { transaction } = taken
    const back = { redirectUri: transaction.redirectUri, state: transaction.clientState }

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
      const error = new AccessDeniedError(
        `${label} did not authorize the sign-in`,
        `${label} answered error=${params.error}`,
      )
      return redirectError(reply, 'redirect', back, error, urls.issuer)
    }
    if (!params.code) {
      return redirectError(
        reply,
        'redirect',
        back,
        new ServerError(`${label} returned no authorization code`),
        urls.issuer,
      )
    }
    let signedIn: Awaited<ReturnType<typeof signInUpstream>>
    try {
      signedIn = await withinSignInDeadline(
        signInUpstream(context, params.code, transaction.upstreamCodeVerifier, urls.upstreamCallback),
        label,
        context.auth.sign_in_timeout,
      )
    } catch (error) {
      if (error instanceof SignInDeadlineError) {
        // The user is told why; the client hears temporarily_unavailable (RFC 6749 §4.1.2.1).
        request.log.warn({ provider: id, reason: error.message }, 'sign-in deadline passed')
        const notAnswering = new TemporarilyUnavailableError(`${label} is not answering; try again shortly`)
        const url = clientRedirectUrl(
          back.redirectUri,
          { error: notAnswering.code, error_description: notAnswering.description, state: back.state },
          urls.issuer,
        )
        return sendHandover(reply, url, `${label} is not answering`, 'Return to the application')
      }
      // The transaction is spent: whatever failed, the client hears it at its redirect URI
      // (RFC 6749 §4.1.2.1) instead of the browser stopping on a 500 page of ours.
      const refusal = isUpstreamError(error)
        ? oauthErrorForUpstream(error, label)
        : new ServerError(
            `The sign-in with ${label} failed`,
            'unexpected error during the upstream sign-in',
            {
              cause: error,
            },
          )
      if (!isUpstreamError(error)) request.log.error({ err: error }, 'upstream sign-in failed')
      // An answer we cannot use is most often our configuration (a scope the provider needs for
      // user info, say): the operator must read it, whatever the route's log level.
      else if (error.kind === 'response')
        request.log.error({ provider: id, reason: error.message }, 'sign-in failed: unusable provider answer')
      return redirectError(reply, 'redirect', back, refusal, urls.issuer)
    }
    if ('refused' in signedIn) {
      const details = { reason: signedIn.refused.userMessage, rule: 'provider', issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const { user } = signedIn
    const canonicalId = context.provider.canonicalId?.bind(context.provider)
    const refusal = allowlistRefusal(user, context.auth.authorization, canonicalId)
    if (refusal) {
      const details = { reason: refusal, rule: 'allowlist', issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const scopes = grantableScopes(transaction.scopes, user, context.auth.authorization, canonicalId)
    if (scopes.length === 0) {
      const reason = `Your account is not granted any of the permissions the application asked for (${formatScope(transaction.scopes)}).`
      const details = { reason, rule: 'scope_grants', issuer: urls.issuer }
      return refuseSignedInUser(context, request, reply, signedIn, transaction, details)
    }
    const code = await mintCode(context, transaction, signedIn.tokens, user, scopes)
    // The route logs at warn (its URL carries the provider's code); a sign-in is news, not a warning.
    const who = { username: user.username, userId: user.userId, provider: id, clientId: transaction.clientId }
    app.log.info({ reqId: request.id, ...who }, 'user signed in')
    const target = clientRedirectUrl(
      transaction.redirectUri,
      { code, state: transaction.clientState },
      urls.issuer,
    )
    return reply.redirect(target.href, 302)
  })
}
