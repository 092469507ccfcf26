import type { FastifyRequest } from 'fastify'
import type { Clock } from '../clock.js'
import { sha256 } from '../crypto.js'
import { ACCESS_TOKEN_PREFIX } from '../defaults.js'
import { formatScope, missingScopes } from '../oauth/scopes.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { TokenRecord } from '../store/records.js'
import { hasQueryToken, readBearer } from './bearer-token.js'
import { GuardRefusal } from './guard-refusal.js'

/**
 * Steps 1–2 of the guard: the token. Only from the header; one in the query string is refused
 * (RFC 6750 §2.3, MCP authorization §9.1). Only our own tokens are looked up, and the lookup
 * happens on every request, so a revocation takes effect at once.
 */
export async function findAccessToken(
  request: FastifyRequest,
  store: OAuthStore,
  clock: Clock,
  resource: string,
): Promise<TokenRecord> {
  if (hasQueryToken(request.query)) {
    const description = 'Access tokens are not accepted in the query string; use the Authorization header'
    throw new GuardRefusal(401, 'invalid_request', description)
  }
  const bearer = readBearer(request.headers.authorization)
  if (bearer.kind === 'none') throw new GuardRefusal(401, undefined, 'This resource requires a bearer token')
  if (bearer.kind === 'malformed') {
    throw new GuardRefusal(401, 'invalid_token', 'The Authorization header is malformed')
  }
  // MCP SBP 2.2.2: never accept a token we did not issue (an upstream token, say).
  if (!bearer.token.startsWith(ACCESS_TOKEN_PREFIX)) {
    throw new GuardRefusal(401, 'invalid_token', 'The access token was not issued by this server')
  }
  const token = await store.getToken(sha256(bearer.token))
  if (token?.kind !== 'access' || token.revoked) {
    throw new GuardRefusal(401, 'invalid_token', 'The access token is invalid or revoked')
  }
  if (token.expiresAt <= clock.now())
    throw new GuardRefusal(401, 'invalid_token', 'The access token has expired')
  // RFC 8707 / MCP authorization §11.1: only tokens issued for this resource.
  if (token.resource !== resource) {
    throw new GuardRefusal(401, 'invalid_token', 'The access token was issued for another resource')
  }
  return token
}

/**
 * Step 3: every required scope, or 403 `insufficient_scope` naming the scopes to ask for: the
 * required ones plus those already granted, so a step-up loses nothing (MCP authorization §10.1.1).
 */
export function checkRequiredScopes(scopes: readonly string[], requiredScopes: readonly string[]): void {
  if (requiredScopes.length === 0 || missingScopes(requiredScopes, scopes).length === 0) return
  const wanted = [...new Set([...requiredScopes, ...scopes])]
  throw new GuardRefusal(
    403,
    'insufficient_scope',
    'The access token lacks a required scope',
    formatScope(wanted),
  )
}
