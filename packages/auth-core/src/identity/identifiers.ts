import { domainToASCII, domainToUnicode } from 'node:url'

/**
 * How identifiers compare (ARCHITECTURE invariant 9): user ids exactly; usernames, logins and
 * group names case-insensitively in ASCII only; email addresses with the domain lower-cased in
 * ASCII (an IDN domain as its A-label, RFC 5890 §2.3.2.1) and the local part exactly
 * (RFC 5321 §2.4: it is case-sensitive). Never full Unicode case folding or compatibility
 * normalisation: with those, the Kelvin sign `K` (U+212A) or a fullwidth `ａ` would match an
 * ASCII `k` or `a`, and one account could pass for another.
 */

/** Lower-cases A–Z and nothing else (`String#toLowerCase` would also fold `K` U+212A to `k`). */
export function asciiLowerCase(value: string): string {
  return value.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32))
}

/** Two user ids are the same only when they are the same string. */
export function sameUserId(a: string, b: string): boolean {
  return a === b
}

/** Usernames, logins, organizations, groups: equal when equal after ASCII-only lower-casing. */
export function sameName(a: string, b: string): boolean {
  return asciiLowerCase(a) === asciiLowerCase(b)
}

/**
 * A domain as we compare it: ASCII lower-cased; a non-ASCII (IDN) domain as its A-label, but only
 * when it is already in the form that A-label stands for (`domainToUnicode(A-label)` gives it back):
 * UTS #46 mapping would otherwise turn `exampleK.com` (Kelvin sign) into `examplek.com`. Undefined
 * when the domain is not a valid one.
 */
export function comparableDomain(domain: string): string | undefined {
  const trimmed = asciiLowerCase(domain.replace(/^@/, ''))
  if (trimmed === '') return undefined
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (/^[\x00-\x7f]*$/.test(trimmed)) return asciiLowerCase(trimmed)
  const aLabel = domainToASCII(trimmed)
  if (aLabel === '' || domainToUnicode(aLabel) !== trimmed) return undefined
  return aLabel
}

/** The domain of an address, comparable (see `comparableDomain`), or undefined. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@')
  if (at < 1) return undefined
  return comparableDomain(email.slice(at + 1))
}

/** Two addresses are the same when their local parts are equal and their domains compare equal. */
export function sameEmail(a: string, b: string): boolean {
  const localA = a.slice(0, a.lastIndexOf('@'))
  const localB = b.slice(0, b.lastIndexOf('@'))
  const domain = emailDomain(a)
  return localA !== '' && localA === localB && domain !== undefined && domain === emailDomain(b)
}
