/**
 * Whether a provider's "this address is verified" flag says yes: the JSON boolean `true`, or the
 * string `"true"` that some providers send (Cognito, older Salesforce and Google endpoints).
 * Anything else — `false`, `"false"`, absent (Entra ID sends no `email_verified` at all), a number
 * — is "not verified", and the address is not used: not as the user's email, not for an email
 * allowlist, not for a grant (OIDC Core §5.1 `email_verified`; the "nOAuth" takeover class).
 * The one rule for every provider that reports verification.
 */
export function isVerifiedEmail(flag: unknown): boolean {
  return flag === true || flag === 'true'
}

/**
 * The address when its flag says it is verified, else undefined. A value that is not a plausible
 * address (no `@`, or longer than RFC 5321 §4.5.3.1 allows) is not an address either.
 */
export function verifiedEmail(email: unknown, flag: unknown): string | undefined {
  if (!isVerifiedEmail(flag) || typeof email !== 'string') return undefined
  const at = email.lastIndexOf('@')
  if (at < 1 || at === email.length - 1 || email.length > MAX_EMAIL_LENGTH) return undefined
  return email
}

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, so an address at most 254 characters. */
export const MAX_EMAIL_LENGTH = 254
