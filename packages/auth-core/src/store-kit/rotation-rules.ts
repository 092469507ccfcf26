import type { RotateRefreshResult, TokenRecord } from '../store/records.js'

/**
 * How long a revoked family is remembered so that tokens saved into it afterwards are born revoked
 * (ms): far longer than any token request takes, an upstream refresh included.
 */
export const REVOKED_FAMILY_MEMORY_MS = 10 * 60_000

/** The default refresh grace window (ms): see `auth.refresh_grace_period`. */
export const DEFAULT_REFRESH_GRACE_MS = 30_000

/** What a store does with a presented refresh token, decided from rows it read in its transaction. */
export type RotationStep =
  /** Live: use it up and save its successor. */
  | { readonly kind: 'rotate'; readonly token: TokenRecord }
  /** Rotated moments ago and its successor never used: a lost response; supersede the successor. */
  | { readonly kind: 'grace'; readonly token: TokenRecord; readonly successor: TokenRecord }
  /** Nothing to issue; the caller revokes the family on 'reused' (RFC 9700 §4.14.2). */
  | { readonly kind: 'refuse'; readonly result: Exclude<RotateRefreshResult, { tokens: unknown }> }

/**
 * The rotation rules every store applies (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2), given the token row
 * and, if it was rotated, its successor's row, both read under the transaction's lock.
 *
 * The grace window exists because a refresh response can be lost (the process killed after the
 * commit, a proxy timing out, the network dropping): the client then retries with the token it
 * holds, which would otherwise count as theft and end the user's session. It is narrow: the same
 * token, within `graceMs` of its rotation, and only while its successor has not been used (once the
 * successor is used, the client evidently got the response), and once: the replayed token
 * has no window left afterwards. 0 turns it off.
 */
export function rotationStep(
  token: TokenRecord | undefined,
  successor: TokenRecord | undefined,
  now: number,
  graceMs: number,
): RotationStep {
  if (token?.kind !== 'refresh') return { kind: 'refuse', result: { outcome: 'missing' } }
  if (token.consumed) {
    if (inGrace(token, successor, now, graceMs) && successor) return { kind: 'grace', token, successor }
    return { kind: 'refuse', result: { outcome: 'reused', token } }
  }
  if (token.revoked) return { kind: 'refuse', result: { outcome: 'revoked' } }
  if (token.expiresAt <= now) return { kind: 'refuse', result: { outcome: 'expired' } }
  return { kind: 'rotate', token }
}

function inGrace(
  token: TokenRecord,
  successor: TokenRecord | undefined,
  now: number,
  graceMs: number,
): boolean {
  return (
    graceMs > 0 &&
    !token.revoked &&
    token.rotatedAt !== undefined &&
    now - token.rotatedAt < graceMs &&
    token.expiresAt > now &&
    successor !== undefined &&
    successor.kind === 'refresh' &&
    !successor.consumed &&
    !successor.revoked &&
    successor.expiresAt > now
  )
}

/** The refresh token among freshly minted tokens: the successor a rotation records. */
export function refreshTokenOf(tokens: readonly TokenRecord[]): TokenRecord | undefined {
  return tokens.find((token) => token.kind === 'refresh')
}

/** The tokens as they are to be saved: those of a recently revoked family are born revoked. */
export function bornRevoked(
  tokens: readonly TokenRecord[],
  revokedFamilies: ReadonlySet<string>,
): TokenRecord[] {
  return tokens.map((token) =>
    revokedFamilies.has(token.familyId) && !token.revoked ? { ...token, revoked: true } : token,
  )
}

/** The families of `tokens`, sorted (so lockers take locks in one order), without duplicates. */
export function familiesOf(tokens: readonly TokenRecord[]): string[] {
  return [...new Set(tokens.map((token) => token.familyId))].sort()
}

/** What a store does with a presented authorization code, decided from its row in the transaction. */
export type ExchangeStep = 'exchange' | 'grace' | 'replayed' | 'expired'

/**
 * The code exchange rules (RFC 6749 §4.1.2, RFC 9700 §4.2.4) with the same allowance for a lost
 * response as refresh rotation: a code used less than `graceMs` ago may be exchanged again while no
 * token it yielded has been used as a refresh token or revoked. The tokens of the first exchange
 * (never delivered) are revoked and new ones issued, once. The caller's binding checks still apply, PKCE
 * included, so only the holder of the code verifier can do this; a replay that fails them, or
 * comes later, is a replay and revokes the family.
 */
export function exchangeStep(
  code: { readonly consumed: boolean; readonly consumedAt: number | null; readonly expiresAt: number },
  familyUsed: boolean,
  now: number,
  graceMs: number,
): ExchangeStep {
  if (!code.consumed) return code.expiresAt <= now ? 'expired' : 'exchange'
  const lost = graceMs > 0 && code.consumedAt !== null && now - code.consumedAt < graceMs && !familyUsed
  return lost ? 'grace' : 'replayed'
}
