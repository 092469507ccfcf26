import { safeEqual, sha256Base64Url } from '../crypto.js'

/** RFC 7636 §4.1: code_verifier = 43*128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/

/** An S256 challenge is BASE64URL(SHA-256(verifier)): exactly 43 characters (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge)
}

/** RFC 7636 §4.6: the verifier is well formed and hashes to the challenge. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  return VERIFIER.test(verifier) && safeEqual(sha256Base64Url(verifier), challenge)
}
