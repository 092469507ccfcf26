/** What SQL can see of the caller. All optional; missing → ''. */
export interface SqlUser {
  userId?: string
  username?: string
  email?: string
  name?: string
  provider?: string
  externalToken?: string
}

/** The caller as bound to one connection: every field present, '' when unknown. */
export type BoundUser = Readonly<Record<keyof SqlUser, string>>

const FIELDS = [
  'userId',
  'username',
  'email',
  'name',
  'provider',
  'externalToken',
] as const satisfies readonly (keyof SqlUser)[]

/** What SQL sees when nobody is authenticated, or when authentication is disabled. */
export const ANONYMOUS: BoundUser = Object.freeze({
  userId: '',
  username: '',
  email: '',
  name: '',
  provider: '',
  externalToken: '',
})

/**
 * Normalises a caller for binding: `undefined` (auth disabled, or no authenticated user) is
 * {@link ANONYMOUS}; a missing or `null` field is '' (GitHub, for one, answers `email: null`
 * for a private address). Anything else than a string is refused: the message names the
 * field, never the value, since the value may be a token.
 */
export function toBoundUser(user: SqlUser | undefined): BoundUser {
  if (user === undefined || user === null) return ANONYMOUS
  const bound: Record<keyof SqlUser, string> = { ...ANONYMOUS }
  for (const field of FIELDS) {
    const value: unknown = user[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string') throw new TypeError(`SqlUser.${field} must be a string`)
    bound[field] = value
  }
  return Object.freeze(bound)
}
