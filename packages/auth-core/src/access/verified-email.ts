/**
 * The email to trust, or undefined: only an address the provider marks verified counts (for
 * `get_user_email()`, email-domain allowlists and scope grants). `verified` is the provider's flag
 * (OIDC `email_verified`, Salesforce `email_verified`, GitHub `verified`); only `true` (or the
 * string `"true"`, which some providers send) is verified. Absent means unverified: an address
 * anyone can type into a profile decides nothing.
 */
export function verifiedEmail(email: unknown, verified: unknown): string | undefined {
  if (typeof email !== 'string' || email === '' || !email.includes('@')) return undefined
  return verified === true || verified === 'true' ? email : undefined
}
