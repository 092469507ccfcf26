import type { UpstreamTokens, UpstreamUser } from '../provider.js'

/**
 * Narrowing of the JSON kept in `text` columns. The values were written by this store, but parts of
 * them came from an identity provider or a registering client, so they are `unknown` until checked.
 */

/** A plain JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string'
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every((entry) => typeof entry === 'string')
}

/** The user as `UpstreamUser` describes it. */
export function isUpstreamUser(value: unknown): value is UpstreamUser {
  if (!isJsonObject(value)) return false
  const { userId, username, email, name, organizations, rawProfile } = value
  return (
    typeof userId === 'string' &&
    typeof username === 'string' &&
    isOptionalString(email) &&
    isOptionalString(name) &&
    (organizations === undefined ||
      (Array.isArray(organizations) && organizations.every((entry) => typeof entry === 'string'))) &&
    isJsonObject(rawProfile)
  )
}

/** The provider's tokens as `UpstreamTokens` describes them. */
export function isUpstreamTokens(value: unknown): value is UpstreamTokens {
  if (!isJsonObject(value)) return false
  const { accessToken, refreshToken, expiresAt, idToken, scope, extra } = value
  return (
    typeof accessToken === 'string' &&
    isOptionalString(refreshToken) &&
    (expiresAt === undefined || (typeof expiresAt === 'number' && Number.isFinite(expiresAt))) &&
    isOptionalString(idToken) &&
    isOptionalString(scope) &&
    (extra === undefined || isStringRecord(extra))
  )
}

/** Parses JSON this store wrote; `what` names the column for the error (never its content). */
export function parseStoredJson<T>(text: string, guard: (value: unknown) => value is T, what: string): T {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`OAuth store: ${what} holds invalid JSON`)
  }
  if (!guard(value)) throw new Error(`OAuth store: ${what} does not hold the expected shape`)
  return value
}
