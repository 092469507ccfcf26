/** What SQL can see of the caller. All optional; missing → ''. */
export interface SqlUser {
  userId?: string
  username?: string
  email?: string
  name?: string
  provider?: string
  externalToken?: string
  /** Named claims and provider attributes, for `get_user_attribute(name)`; strings only. */
  attributes?: Readonly<Record<string, string>>
}

type TextField = Exclude<keyof SqlUser, 'attributes'>

/** The caller as bound to one connection: every field present, '' when unknown. */
export type BoundUser = Readonly<Record<TextField, string>> & {
  readonly attributes: Readonly<Record<string, string>>
}

const FIELDS = [
  'userId',
  'username',
  'email',
  'name',
  'provider',
  'externalToken',
] as const satisfies readonly TextField[]

/** What SQL sees when nobody is authenticated, or when authentication is disabled. */
export const ANONYMOUS: BoundUser = Object.freeze({
  userId: '',
  username: '',
  email: '',
  name: '',
  provider: '',
  externalToken: '',
  attributes: Object.freeze({}),
})

/**
 * Normalises a caller for binding: `undefined` (auth disabled, or no authenticated user) is
 * {@link ANONYMOUS}; a missing or `null` field is '' (GitHub, for one, answers `email: null`
 * for a private address). Anything else than a string is refused: the message names the
 * field, never the value, since the value may be a token.
 */
export function toBoundUser(user: SqlUser | undefined): BoundUser {
  if (user === undefined || user === null) return ANONYMOUS
  const known = boundOfFrozen.get(user)
  if (known !== undefined) return known
  const bound = normalise(user)
  if (Object.isFrozen(user) && (user.attributes === undefined || Object.isFrozen(user.attributes)))
    boundOfFrozen.set(user, bound)
  return bound
}

/**
 * Bound callers of frozen `SqlUser`s (a server hands the same frozen caller to every request of
 * a session): a frozen object, attributes included, cannot change, so its bound copy is made
 * once. A caller that could still change is copied on every call.
 */
const boundOfFrozen = new WeakMap<SqlUser, BoundUser>()

function normalise(user: SqlUser): BoundUser {
  const bound: Record<TextField, string> = { ...ANONYMOUS }
  for (const field of FIELDS) {
    const value: unknown = user[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string') throw new TypeError(`SqlUser.${field} must be a string`)
    bound[field] = value
  }
  return Object.freeze({ ...bound, attributes: boundAttributes(user.attributes) })
}

/** A copy without prototype (a name like `__proto__` or `constructor` is just absent), strings only. */
function boundAttributes(attributes: SqlUser['attributes']): Readonly<Record<string, string>> {
  const copy: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value !== 'string') throw new TypeError('SqlUser.attributes values must be strings')
    copy[name] = value
  }
  return Object.freeze(copy)
}

/**
 * Every field of a bound caller as one canonical string (attributes sorted by name): two
 * callers have the same key only if every user function answers alike for both. JSON quoting
 * keeps the parts apart whatever characters they hold.
 */
export function identityKey(user: BoundUser): string {
  // A bound user is frozen, attributes included: its key never changes.
  let key = identityKeys.get(user)
  if (key === undefined) {
    key = computeIdentityKey(user)
    identityKeys.set(user, key)
  }
  return key
}

const identityKeys = new WeakMap<BoundUser, string>()

function computeIdentityKey(user: BoundUser): string {
  const attributes = Object.keys(user.attributes)
    .sort()
    .map((name) => [name, user.attributes[name]])
  return JSON.stringify([FIELDS.map((field) => user[field]), attributes])
}
