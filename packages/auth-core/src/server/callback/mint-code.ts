import { randomUUID } from 'node:crypto'
import { randomToken, sha256 } from '../../crypto.js'
import { AUTHORIZATION_CODE_PREFIX } from '../../defaults.js'
import type { UpstreamTokens, UpstreamUser } from '../../provider.js'
import type { TransactionRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/**
 * Last step of the callback: a session for the signed-in user (with the provider's tokens) and
 * our authorization code for the client (single use, `authorization_code_ttl`, 60 s by default;
 * RFC 6749 §4.1.2), bound to the client, its redirect URI, its PKCE challenge, the granted
 * `scopes` (the requested ones the user is granted) and audience.
 * The code starts a new token family.
 */
export async function mintCode(
  context: AuthContext,
  transaction: TransactionRecord,
  tokens: UpstreamTokens,
  user: UpstreamUser,
  scopes: readonly string[],
): Promise<string> {
  const now = context.clock.now()
  const sessionId = randomUUID()
  await context.store.saveSession({
    sessionId,
    provider: context.provider.id,
    user,
    upstream: tokens,
    userFetchedAt: now,
    createdAt: now,
    // The session lives as long as a refresh token could; every token of ours is capped at it.
    expiresAt: now + context.auth.refresh_token_ttl * 1000,
  })
  context.sessionUsers.prime(sessionId, user, tokens)
  const code = randomToken(AUTHORIZATION_CODE_PREFIX)
  await context.store.saveCode({
    codeHash: sha256(code),
    clientId: transaction.clientId,
    redirectUri: transaction.redirectUri,
    codeChallenge: transaction.codeChallenge,
    scopes,
    resource: transaction.resource,
    sessionId,
    familyId: randomUUID(),
    createdAt: now,
    expiresAt: now + context.auth.authorization_code_ttl * 1000,
  })
  return code
}
