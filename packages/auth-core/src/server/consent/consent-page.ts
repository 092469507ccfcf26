import { escapeHtml } from '../../html/escape.js'
import { renderPage } from '../../html/page.js'
import { isLoopbackHost } from '../../http/base-url.js'
import { formatScope } from '../../oauth/scopes.js'
import type { AuthorizationRequest } from '../authorize/authorization-request.js'
import { metadataDocumentNotice } from '../client-metadata/consent-notice.js'

export interface ConsentPageInput {
  readonly request: AuthorizationRequest
  /** Pre-registered by the operator (true) or self-registered through `/register` (false). */
  readonly verifiedClient: boolean
  /** Known by its Client ID Metadata Document (the client_id is the document's URL). */
  readonly metadataDocumentClient?: boolean | undefined
  readonly issuer: string
  readonly providerLabel: string
  readonly csrfToken: string
  readonly expiresAt: number
  /**
   * The scopes every signed-in user is granted (`auth.authorization.default_scopes`); the others
   * are listed as granted only if the account holds them (`scope_grants`, decided after sign-in).
   */
  readonly defaultScopes?: readonly string[] | undefined
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`
}

/** Where the form posts: `/consent` under the issuer's path (the registration prefix). */
function consentAction(issuer: string): string {
  return `${new URL(issuer).pathname.replace(/\/$/, '')}/consent`
}

/**
 * Our consent page, shown before anything goes upstream (MCP authorization §11.7, SBP 2.1.5.2):
 * it names the client, shows where the browser will be sent back (the redirect URI's host) and
 * the scopes about to be granted (those not granted to everyone marked as depending on the
 * account: a token never carries a scope its user was not granted), and posts Approve or Deny
 * with the CSRF token to `/consent` (under the registration prefix).
 */
export function renderConsentPage(input: ConsentPageInput): string {
  const { request } = input
  const name = escapeHtml(request.client.clientName)
  const redirect = new URL(request.redirectUri)
  const server = escapeHtml(new URL(input.issuer).host)
  const everyone = new Set(input.defaultScopes ?? request.scopes)
  const scopes = request.scopes
    .map((scope) => {
      const condition = everyone.has(scope)
        ? ''
        : ' <span class="muted">(only if your account is granted it)</span>'
      return `<li><code>${escapeHtml(scope)}</code>${condition}</li>`
    })
    .join('')
  const unverified = input.metadataDocumentClient
    ? metadataDocumentNotice(request.client.clientId, request.redirectUri)
    : input.verifiedClient
      ? ''
      : '<p class="muted">This application registered itself; its name is not verified by this server.</p>\n'
  const loopback = isLoopbackHost(redirect.hostname)
    ? '<p class="warn">The application runs on your own computer. Continue only if you started this sign-in yourself just now.</p>\n'
    : ''
  const body = `<h1>Allow ${name} to use ${server}?</h1>
<p><strong>${name}</strong> asks to act as you on <span class="host">${server}</span>.
If you approve, you sign in with ${escapeHtml(input.providerLabel)}, and ${name} receives a token for this server.</p>
${unverified}<p>You will be sent back to <span class="host">${escapeHtml(redirect.host)}</span>.</p>
${loopback}<p>Permissions to be granted:</p>
<ul>${scopes || '<li>none</li>'}</ul>
<form method="post" action="${escapeHtml(consentAction(input.issuer))}">
${hidden('client_id', request.client.clientId)}${hidden('redirect_uri', request.redirectUri)}${hidden('response_type', 'code')}${hidden('code_challenge', request.codeChallenge)}${hidden('code_challenge_method', 'S256')}${hidden('scope', formatScope(request.scopes))}${hidden('resource', request.resource)}${hidden('state', request.state)}${hidden('consent_expires', String(input.expiresAt))}${hidden('csrf_token', input.csrfToken)}<div class="actions">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
</div>
</form>
<p class="muted">Client ID: <code>${escapeHtml(request.client.clientId)}</code><br>Redirect URI: <code>${escapeHtml(request.redirectUri)}</code></p>`
  return renderPage(`Allow ${request.client.clientName}?`, body)
}
