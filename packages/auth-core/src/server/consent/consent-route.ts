import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { randomToken, sha256, sha256Base64Url } from '../../crypto.js'
import {
  FORM_BODY_LIMIT,
  MAX_PENDING_SIGN_INS_PER_ADDRESS,
  MAX_PENDING_SIGN_INS_PER_CLIENT,
  TRANSACTION_TTL_MS,
} from '../../defaults.js'
import { AccessDeniedError } from '../../errors/oauth-error.js'
import { isUpstreamError } from '../../errors/upstream-error.js'
import { emitEvent } from '../../events/auth-events.js'
import { sendErrorPage } from '../../html/error-page.js'
import { sendHandover } from '../../html/handover-page.js'
import { readCookie, setCookie } from '../../http/cookies.js'
import { ParamReader } from '../../http/params.js'
import { clientAddress, rateLimitKey } from '../../http/trusted-proxy.js'
import { clientRedirectUrl } from '../../oauth/client-redirect.js'
import { oauthErrorForUpstream } from '../../oauth/upstream-error-mapping.js'
import { type AuthContext, type RequestUrls, requestUrls } from '../auth-context.js'
import type { AuthorizationRequest } from '../authorize/authorization-request.js'
import { redirectError, untrustedPage } from '../authorize/respond-to-check.js'
import { signInBindings } from '../authorize/sign-in-bindings.js'
import { validateAuthorizationRequest } from '../authorize/validate-authorization-request.js'
import { addressMismatch } from './address-mismatch.js'
import { verifyConsentToken } from './consent-token.js'

/** The kind under which used consent forms are recorded. */
export const CONSENT_FORM_KIND = 'consent-form'

/**
 * Approve: only now is the upstream login started (MCP SBP 2.1.5.2: state stored "only after
 * consent has been explicitly approved", its cookie set "immediately before redirecting"). The
 * transaction (single use, 10 minutes) is keyed by the SHA-256 of our upstream `state` and bound
 * to the browser by the SHA-256 of the login cookie.
 */
async function approve(
  context: AuthContext,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  urls: RequestUrls,
): Promise<FastifyReply> {
  const state = randomToken()
  const verifier = randomToken()
  const binding = readCookie(request, 'login', urls.issuer) ?? randomToken()
  let upstreamUrl: URL
  try {
    upstreamUrl = await context.provider.authorizationUrl({
      state,
      codeChallenge: sha256Base64Url(verifier),
      redirectUri: urls.upstreamCallback,
    })
  } catch (error) {
    if (!isUpstreamError(error)) throw error
    return redirectError(
      reply,
      'handover',
      authorization,
      oauthErrorForUpstream(error, context.provider.label),
      urls.issuer,
    )
  }
  const now = context.clock.now()
  const id = sha256(state)
  if (!(await claimPendingSlot(context, request, authorization, id, now))) {
    request.log.warn(
      { clientId: authorization.client.clientId },
      'consent refused: too many sign-ins in flight',
    )
    return sendErrorPage(
      reply,
      429,
      'Too many sign-ins in progress',
      'Too many sign-ins were started and not finished. Wait a few minutes, then start again from your application.',
    )
  }
  await context.store.saveTransaction({
    id,
    clientId: authorization.client.clientId,
    redirectUri: authorization.redirectUri,
    codeChallenge: authorization.codeChallenge,
    scopes: authorization.scopes,
    resource: authorization.resource,
    clientState: authorization.state,
    upstreamCodeVerifier: verifier,
    browserBindingHash: sha256(binding),
    createdAt: now,
    expiresAt: now + TRANSACTION_TTL_MS,
  })
  setCookie(reply, 'login', urls.issuer, binding, TRANSACTION_TTL_MS)
  request.log.debug({ to: `${upstreamUrl.origin}${upstreamUrl.pathname}` }, 'redirecting to the provider')
  request.log.info('consent approved; signing in upstream')
  return sendHandover(
    reply,
    upstreamUrl,
    `Continue to ${context.provider.label}`,
    `Continue to ${context.provider.label}`,
  )
}

/**
 * Pending upstream sign-ins are capped per client and per client address (issue 15, point 5), so
 * nobody can fill the store with transactions: one slot of each, held until the callback takes
 * the transaction (`takeTransaction` releases it) or it expires. True when both were free.
 */
async function claimPendingSlot(
  context: AuthContext,
  request: FastifyRequest,
  authorization: AuthorizationRequest,
  id: string,
  now: number,
): Promise<boolean> {
  const until = now + TRANSACTION_TTL_MS
  const address = rateLimitKey(clientAddress(request, context.urls.trust))
  if (
    !(await context.once.claimOnce(
      `pending-address:${address}`,
      id,
      until,
      now,
      MAX_PENDING_SIGN_INS_PER_ADDRESS,
    ))
  )
    return false
  const client = `pending-client:${authorization.client.clientId}`
  if (await context.once.claimOnce(client, id, until, now, MAX_PENDING_SIGN_INS_PER_CLIENT)) return true
  await context.once.releaseClaims(id)
  return false
}

/** Deny: back to the client with `access_denied` (RFC 6749 §4.1.2.1), `state` and `iss`. */
function deny(reply: FastifyReply, authorization: AuthorizationRequest, urls: RequestUrls): FastifyReply {
  const url = clientRedirectUrl(
    authorization.redirectUri,
    { error: 'access_denied', error_description: 'The user denied the request', state: authorization.state },
    urls.issuer,
  )
  reply.log.info('consent denied')
  return sendHandover(reply, url, 'Returning to the application', 'Continue')
}

/**
 * `POST /consent`: the consent form. The request it carries is validated again from scratch, the
 * CSRF token must match this browser's consent cookie and exactly this request, then Approve or
 * Deny. Every way back to the client is a hand-over page (see `sendHandover`).
 */
export function registerConsentRoute(app: FastifyInstance, context: AuthContext): void {
  app.post('/consent', { bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    const urls = requestUrls(context, request)
    if (
      !(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
    ) {
      return sendErrorPage(reply, 400, 'Bad request', 'The consent form must be posted as a form.')
    }
    // Every line of this sign-in step names the provider and the client asked for (as sent: untrusted, cut short).
    request.log = request.log.child(signInBindings(context, request.query, request.body))
    reply.log = request.log
    const params = new ParamReader(request.body)
    const check = await validateAuthorizationRequest(params, context, urls.resource)
    if (check.outcome === 'page') return untrustedPage(reply, check.status, check.message)
    if (check.outcome === 'redirect') return redirectError(reply, 'handover', check, check.error, urls.issuer)

    const nonce = readCookie(request, 'consent', urls.issuer)
    const expiresAt = Number(params.optional('consent_expires'))
    const token = params.optional('csrf_token')
    if (!verifyConsentToken(context.secret, nonce, check.request, expiresAt, token, context.clock.now())) {
      const mismatch = addressMismatch(request, urls.issuer)
      request.log.warn(
        {
          step: 'consent',
          problem: mismatch ? 'address_mismatch' : 'csrf',
          ...(mismatch && { hint: mismatch }),
        },
        'consent form refused: CSRF token invalid or expired',
      )
      emitEvent(context.events, {
        type: 'sign_in',
        status: 'refused',
        provider: context.provider.id,
        clientId: check.request.client.clientId,
        step: 'consent',
        reason: mismatch ? 'address mismatch' : 'consent form expired or not issued to this browser',
        requestId: request.id,
      })
      if (mismatch) return sendErrorPage(reply, 403, 'Consent refused: address mismatch', mismatch)
      return sendErrorPage(
        reply,
        403,
        'Consent expired',
        'This consent form has expired or was not issued to this browser. Start the sign-in again from your application.',
      )
    }
    // A form is good once (issue 15, point 5): its token is recorded until it expires, in the
    // store's records, so a second submission on any replica is refused.
    if (
      !(await context.once.claimOnce(CONSENT_FORM_KIND, sha256(token ?? ''), expiresAt, context.clock.now()))
    ) {
      request.log.warn({ clientId: check.request.client.clientId }, 'consent form refused: already used')
      return sendErrorPage(
        reply,
        403,
        'Consent already given',
        'This consent form was already submitted. Start the sign-in again from your application.',
      )
    }
    const decision = params.optional('decision')
    if (decision === 'approve') return approve(context, request, reply, check.request, urls)
    if (decision === 'deny') {
      emitEvent(context.events, {
        type: 'sign_in',
        status: 'refused',
        provider: context.provider.id,
        clientId: check.request.client.clientId,
        step: 'consent',
        reason: 'the user denied consent',
        requestId: request.id,
      })
      return deny(reply, check.request, urls)
    }
    return redirectError(
      reply,
      'handover',
      check.request,
      new AccessDeniedError('No decision was made on the consent page'),
      urls.issuer,
    )
  })
}
