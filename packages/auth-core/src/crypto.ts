import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Hex SHA-256 of a string: how tokens, codes and client secrets are stored. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** base64url SHA-256, as PKCE S256 uses it (RFC 7636 §4.2). */
export function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}

/** 256 random bits, base64url, with an optional prefix (`mxcp_at_…`). */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
