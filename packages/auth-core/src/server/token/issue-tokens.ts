import { randomToken, sha256 } from '../../crypto.js'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from '../../defaults.js'
import { formatScope } from '../../oauth/scopes.js'
import type { TokenRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  readonly access_token: string
  readonly token_type: 'Bearer'
  readonly expires_in: number
  readonly refresh_token?: string
  readonly scope: string
}

export interface IssueInput {
  readonly clientId: string
  readonly sessionId: string
  /** Inherited from the code: every token of one grant shares it. */
  readonly familyId: string
  readonly scopes: readonly string[]
  /** The canonical MCP URL (RFC 8707 audience). */
  readonly resource: string
  readonly withRefreshToken: boolean
  /** No token outlives its session. */
  readonly sessionExpiresAt: number
}

/**
 * Mints an access token (and a refresh token if the client may refresh): opaque, 256 random bits
 * with a recognisable prefix, stored only as SHA-256 hashes and bound to client, session, family,
 * scopes and audience. If a replay of this family was seen meanwhile, what was just saved is
 * revoked again (see `ReplayTracker`).
 */
export async function issueTokens(context: AuthContext, input: IssueInput): Promise<TokenResponse> {
  const now = context.clock.now()
  const accessToken = randomToken(ACCESS_TOKEN_PREFIX)
  const accessExpiresAt = Math.min(now + context.auth.access_token_ttl * 1000, input.sessionExpiresAt)
  const common = {
    clientId: input.clientId,
    sessionId: input.sessionId,
    familyId: input.familyId,
    scopes: [...input.scopes],
    resource: input.resource,
    createdAt: now,
    revoked: false,
    consumed: false,
  }
  const records: TokenRecord[] = [
    { ...common, tokenHash: sha256(accessToken), kind: 'access', expiresAt: accessExpiresAt },
  ]
  const refreshToken = input.withRefreshToken ? randomToken(REFRESH_TOKEN_PREFIX) : undefined
  if (refreshToken) {
    const refreshExpiresAt = Math.min(now + context.auth.refresh_token_ttl * 1000, input.sessionExpiresAt)
    records.push({ ...common, tokenHash: sha256(refreshToken), kind: 'refresh', expiresAt: refreshExpiresAt })
  }
  await context.store.saveTokens(records)
  if (
    !context.clients.isPreRegistered(input.clientId) &&
    !context.clients.isMetadataDocumentClient(input.clientId)
  )
    await context.clients.leases?.used(input.clientId)
  if (context.replays.wasReplayed(input.familyId, context.clock.now()))
    await context.store.revokeFamily(input.familyId)
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.floor((accessExpiresAt - now) / 1000)),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: formatScope(input.scopes),
  }
}
