import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import { ANONYMOUS_USER, type UserContext } from '@mxcp/auth-core'
import type { SqlUser } from '@mxcp/duckdb-user-fns'

/** Where the caller travels inside `AuthInfo.extra`. */
const USER_KEY = 'user'

/**
 * The `AuthInfo` the MCP transport hands to every handler as `extra.authInfo`
 * (the transport reads it from `IncomingMessage.auth`). The upstream token is not copied:
 * it stays a hidden property of the user context.
 */
export function authInfoFor(user: UserContext): AuthInfo {
  return { token: '', clientId: user.clientId, scopes: [...user.scopes], extra: { [USER_KEY]: user } }
}

function isUserContext(value: unknown): value is UserContext {
  if (typeof value !== 'object' || value === null) return false
  const fields = value as Partial<Record<keyof UserContext, unknown>>
  return typeof fields.username === 'string' && typeof fields.anonymous === 'boolean'
}

/** The caller of an MCP request; anonymous when the request carried none (auth `none`). */
export function callerOf(authInfo: AuthInfo | undefined): UserContext {
  const user = authInfo?.extra?.[USER_KEY]
  return isUserContext(user) ? user : ANONYMOUS_USER
}

const sqlUsers = new WeakMap<UserContext, SqlUser>()

/** What SQL sees of the caller: `get_username()` & co. Undefined (all '') when anonymous. */
export function toSqlUser(user: UserContext): SqlUser | undefined {
  if (user.anonymous) return undefined
  const known = sqlUsers.get(user)
  if (known !== undefined) return known
  const sqlUser: SqlUser = Object.freeze({
    userId: user.userId,
    username: user.username,
    email: user.email,
    name: user.name,
    provider: user.provider,
    externalToken: user.upstreamToken,
    attributes: Object.isFrozen(user.attributes) ? user.attributes : Object.freeze({ ...user.attributes }),
  })
  // The guard hands every request of a session the same frozen context: made once, the SQL
  // caller is frozen too, so the pool binds it without copying it again. A context that could
  // still change is read afresh on every call.
  if (Object.isFrozen(user)) sqlUsers.set(user, sqlUser)
  return sqlUser
}

/**
 * The caller as it may be logged (the guide's "user information logging"): who, never a token.
 * The guard's own line for the same request (same `reqId`) adds the name and email.
 */
export function loggableCaller(user: UserContext): Record<string, unknown> {
  if (user.anonymous) return { anonymous: true }
  return { userId: user.userId, username: user.username, provider: user.provider, clientId: user.clientId }
}
