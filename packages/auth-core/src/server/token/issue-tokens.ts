import { randomToken, sha256 } from '../../crypto.js'
import { ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX } from '../../defaults.js'
import { InvalidGrantError } from '../../errors/oauth-error.js'
import { formatScope } from '../../oauth/scopes.js'
import type { SessionRecord, TokenRecord } from '../../store/records.js'
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

/** Tokens minted but not yet saved: the records for the store and the response for the client. */
export interface MintedTokens {
  readonly records: readonly TokenRecord[]
  readonly response: TokenResponse
}

/**
 * Mints an access token (and a refresh token if the client may refresh): opaque, 256 random bits
 * with a recognisable prefix, stored only as SHA-256 hashes and bound to client, session, family,
 * scopes and audience. Synchronous and without I/O: it runs inside the store's transaction
 * (`exchangeCode`, `rotateRefresh`), so the tokens are saved together with the use of the code or
 * refresh token that yields them.
 */
export function mintTokens(context: AuthContext, input: IssueInput, now: number): MintedTokens {
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
  return {
    records,
    response: {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((accessExpiresAt - now) / 1000)),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: formatScope(input.scopes),
    },
  }
}

/** The session a grant issues under, if it is still live; else the grant fails. */
export function liveSession(session: SessionRecord | undefined, now: number): SessionRecord {
  if (!session || session.expiresAt <= now) throw new InvalidGrantError('The sign-in session has ended')
  return session
}

/**
 * Renews the lease of a self-registered client whose code or refresh token the store is using up:
 * such a client has proven itself. Called from the `issue` callback of `exchangeCode` or
 * `rotateRefresh`, that is only once the code or refresh token was found usable (a replayed,
 * expired or unknown one never reaches it) and its binding checks passed, and before the tokens'
 * durable commit: the renewal is `inFlight`. A store whose writes run at once (SQLite, memory)
 * makes it inside the open exchange transaction, so it commits with the tokens, rolls back with
 * them, and costs no fsync of its own; elsewhere (PostgreSQL) it commits on its own.
 * Should the token save fail after all (or the tokens be born revoked), the client still presented
 * a valid single-use code or refresh token, so a renewed lease is no harm. The promise is settled
 * by `deliver`; it is marked handled here so a failed exchange leaves no unhandled rejection.
 */
export function renewLease(context: AuthContext, clientId: string): Promise<void> {
  if (context.clients.isPreRegistered(clientId) || context.clients.isMetadataDocumentClient(clientId))
    return Promise.resolve()
  const renewal = context.clients.leases?.used(clientId, { inFlight: true }) ?? Promise.resolve()
  renewal.catch(() => {})
  return renewal
}

/**
 * The response for what the store saved: tokens born revoked (their family was revoked by a
 * replay meanwhile) are refused rather than handed out dead. Answers only once the client's lease
 * renewal (`renewLease`) is written: an answered token response implies the renewal is durable.
 */
export async function deliver(
  minted: MintedTokens,
  saved: readonly TokenRecord[],
  renewal: Promise<void> | undefined,
): Promise<TokenResponse> {
  if (saved.some((token) => token.revoked))
    throw new InvalidGrantError('This grant was revoked', 'tokens saved into a revoked family')
  await renewal
  return minted.response
}
