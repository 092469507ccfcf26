import { createHash, randomBytes } from 'node:crypto'
import type { FakeIdpUser } from './fake-idp-types.js'

interface PendingCode {
  readonly redirectUri: string
  readonly codeChallenge: string | undefined
  readonly scope: string
  readonly user: FakeIdpUser
  readonly expiresAt: number
}

interface AccessGrant {
  readonly user: FakeIdpUser
  readonly scope: string
  readonly expiresAt: number | undefined
  revoked: boolean
}

interface RefreshGrant {
  readonly user: FakeIdpUser
  readonly scope: string
  revoked: boolean
}

/** What a successful token request returns. */
export interface IssuedTokenResponse {
  readonly access_token: string
  readonly token_type: 'bearer'
  readonly scope: string
  readonly expires_in?: number
  readonly refresh_token?: string
}

const CODE_TTL_MS = 60_000

function random(prefix: string): string {
  return prefix + randomBytes(24).toString('base64url')
}

/** The fake provider's codes and tokens, in memory. Single use is enforced by deleting on use. */
export class FakeIdpGrants {
  readonly #codes = new Map<string, PendingCode>()
  readonly #access = new Map<string, AccessGrant>()
  readonly #refresh = new Map<string, RefreshGrant>()
  readonly #now: () => number
  /** Every access token issued, in order. */
  readonly issuedAccessTokens: string[] = []
  /** Every refresh token issued, in order. */
  readonly issuedRefreshTokens: string[] = []

  constructor(now: () => number) {
    this.#now = now
  }

  createCode(code: Omit<PendingCode, 'expiresAt'>): string {
    const value = random('fake_code_')
    this.#codes.set(value, { ...code, expiresAt: this.#now() + CODE_TTL_MS })
    return value
  }

  /** Takes a code out (single use); undefined when unknown, used or expired. */
  takeCode(code: string): PendingCode | undefined {
    const pending = this.#codes.get(code)
    this.#codes.delete(code)
    return pending && pending.expiresAt > this.#now() ? pending : undefined
  }

  issue(user: FakeIdpUser, scope: string, ttlSeconds: number, withRefresh: boolean): IssuedTokenResponse {
    const accessToken = random('fake_at_')
    const expiresAt = ttlSeconds > 0 ? this.#now() + ttlSeconds * 1000 : undefined
    this.#access.set(accessToken, { user, scope, expiresAt, revoked: false })
    this.issuedAccessTokens.push(accessToken)
    const response: IssuedTokenResponse = {
      access_token: accessToken,
      token_type: 'bearer',
      scope,
      ...(ttlSeconds > 0 ? { expires_in: ttlSeconds } : {}),
    }
    if (!withRefresh) return response
    const refreshToken = random('fake_rt_')
    this.#refresh.set(refreshToken, { user, scope, revoked: false })
    this.issuedRefreshTokens.push(refreshToken)
    return { ...response, refresh_token: refreshToken }
  }

  /** The user behind a live access token, or undefined. */
  userFor(accessToken: string): FakeIdpUser | undefined {
    const grant = this.#access.get(accessToken)
    if (!grant || grant.revoked) return undefined
    if (grant.expiresAt !== undefined && grant.expiresAt <= this.#now()) return undefined
    return grant.user
  }

  /** A live refresh grant; with `rotate`, it is used up. */
  useRefresh(refreshToken: string, rotate: boolean): RefreshGrant | undefined {
    const grant = this.#refresh.get(refreshToken)
    if (!grant || grant.revoked) return undefined
    if (rotate) grant.revoked = true
    return grant
  }

  revoke(token: string): void {
    const access = this.#access.get(token)
    if (access) access.revoked = true
    const refresh = this.#refresh.get(token)
    if (refresh) refresh.revoked = true
  }

  /** Kills every access token (refresh tokens stay usable). */
  revokeAllAccessTokens(): void {
    for (const grant of this.#access.values()) grant.revoked = true
  }

  /** Kills every refresh token. */
  revokeAllRefreshTokens(): void {
    for (const grant of this.#refresh.values()) grant.revoked = true
  }
}

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) equals the challenge. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  return createHash('sha256').update(verifier).digest('base64url') === challenge
}
