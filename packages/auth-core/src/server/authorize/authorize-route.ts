import type { FastifyInstance } from 'fastify'
import { randomToken } from '../../crypto.js'
import { CONSENT_TTL_MS } from '../../defaults.js'
import { readCookie, setCookie } from '../../http/cookies.js'
import { ParamReader } from '../../http/params.js'
import { sendHtml } from '../../http/security-headers.js'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { renderConsentPage } from '../consent/consent-page.js'
import { consentToken } from '../consent/consent-token.js'
import { redirectError, untrustedPage } from './respond-to-check.js'
import { signInBindings } from './sign-in-bindings.js'
import { validateAuthorizationRequest } from './validate-authorization-request.js'

/**
 * `GET /authorize` (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1): validates the request and shows our consent
 * page. Stateless: nothing is stored and nothing goes upstream before the user approves; the
 * browser only gets a consent cookie (a random nonce the CSRF token is bound to).
 */
export function registerAuthorizeRoute(app: FastifyInstance, context: AuthContext): void {
  app.get('/authorize', async (request, reply) => {
    // Every line of this sign-in step names the provider and the client asked for (as sent: untrusted, cut short).
    request.log = request.log.child(signInBindings(context, request.query, request.body))
    reply.log = request.log
    const urls = requestUrls(context, request)
    const check = await validateAuthorizationRequest(new ParamReader(request.query), context, urls.resource)
    if (check.outcome === 'page') return untrustedPage(reply, check.status, check.message)
    if (check.outcome === 'redirect') return redirectError(reply, 'redirect', check, check.error, urls.issuer)

    request.log.debug({ scopes: check.request.scopes }, 'authorization request accepted; consent page shown')
    const nonce = readCookie(request, 'consent', urls.issuer) ?? randomToken()
    setCookie(reply, 'consent', urls.issuer, nonce, CONSENT_TTL_MS)
    const expiresAt = context.clock.now() + CONSENT_TTL_MS
    const page = renderConsentPage({
      request: check.request,
      verifiedClient: context.clients.isPreRegistered(check.request.client.clientId),
      metadataDocumentClient: context.clients.isMetadataDocumentClient(check.request.client.clientId),
      issuer: urls.issuer,
      providerLabel: context.provider.label,
      csrfToken: consentToken(context.secret, nonce, check.request, expiresAt),
      expiresAt,
      defaultScopes: context.auth.authorization.default_scopes,
    })
    return sendHtml(reply, 200, page)
  })
}
