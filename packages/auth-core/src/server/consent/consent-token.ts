import { createHmac } from 'node:crypto'
import { safeEqual } from '../../crypto.js'
import type { AuthorizationRequest } from '../authorize/authorization-request.js'

/**
 * The consent form's CSRF token (MCP SBP 2.1.5.2): an HMAC, under the plugin's secret, of the
 * browser's consent cookie AND the exact authorization request (client, redirect URI, PKCE
 * challenge, scopes, resource, state) AND an expiry. Stateless: nothing is stored before the
 * user approves, and a token minted for one client, one request or one browser fits no other.
 */
export function consentToken(
  secret: Buffer,
  nonce: string,
  request: AuthorizationRequest,
  expiresAt: number,
): string {
  const bound = JSON.stringify([
    'mxcp-consent-v1',
    nonce,
    request.client.clientId,
    request.redirectUri,
    request.codeChallenge,
    request.scopes,
    request.resource,
    request.state ?? null,
    expiresAt,
  ])
  return createHmac('sha256', secret).update(bound).digest('base64url')
}

/** True when `token` was minted for this nonce, request and expiry, and has not expired. */
export function verifyConsentToken(
  secret: Buffer,
  nonce: string | undefined,
  request: AuthorizationRequest,
  expiresAt: number,
  token: string | undefined,
  now: number,
): boolean {
  if (nonce === undefined || token === undefined || !Number.isSafeInteger(expiresAt) || expiresAt <= now)
    return false
  return safeEqual(consentToken(secret, nonce, request, expiresAt), token)
}
