import { grantableScopes } from '../access/scope-grants.js'
import { userAttributes } from '../access/user-attributes.js'
import type { AuthConfig } from '../config/index.js'
import type { UpstreamProvider } from '../provider.js'
import type { TokenRecord } from '../store/records.js'
import { createUserContext, type UserContext } from '../user-context.js'
import type { SessionUser } from './session-users.js'

/** What the guard hands a request: its caller, and the caller as the info line names them. */
export interface RequestUser {
  readonly context: UserContext
  /** The `user` of the guard's `authenticated request` line: who, never a token. */
  readonly logged: Readonly<Record<string, string | undefined>>
}

export interface UserContextsOptions {
  readonly provider: UpstreamProvider
  /** `auth.authorization`: when given, a token's scopes count only while its user is granted them. */
  readonly authorization?: AuthConfig['authorization'] | undefined
}

/** One built context, and the token fields besides the session user it was built from. */
interface Built {
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly user: RequestUser
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The user context of a request, built once per cached session user rather than on every
 * request: building it (profile attributes, granted scopes, a frozen object with a hidden
 * upstream token) cost more than the token lookup itself.
 *
 * A context is a function of the session's `SessionUser` entry (user, upstream tokens) and of
 * the token's client and scopes, nothing else. It is kept in a `WeakMap` keyed by that entry
 * object, which `SessionUsers` replaces whenever the session is revalidated, refreshed or
 * served stale, and never shares between sessions; the token's client and scopes are compared
 * exactly on every request. So a context can only be reused for the same session, the same
 * profile, the same upstream token, the same client and the same scopes: one caller is never
 * answered with another's data, and a changed profile shows as soon as the entry does.
 */
export class UserContexts {
  readonly #options: UserContextsOptions
  readonly #built = new WeakMap<SessionUser, Built>()

  constructor(options: UserContextsOptions) {
    this.#options = options
  }

  /** The caller for `token` of the session whose cached entry is `entry`. */
  userFor(entry: SessionUser, token: TokenRecord): RequestUser {
    const built = this.#built.get(entry)
    if (built && built.clientId === token.clientId && sameScopes(built.scopes, token.scopes))
      return built.user
    const user = this.#build(entry, token)
    this.#built.set(entry, { clientId: token.clientId, scopes: [...token.scopes], user })
    return user
  }

  #build(entry: SessionUser, token: TokenRecord): RequestUser {
    const { provider, authorization } = this.#options
    const { user, upstream } = entry
    const scopes = authorization
      ? grantableScopes(token.scopes, user, authorization, provider.canonicalId?.bind(provider))
      : [...token.scopes]
    const { userId, username, email, name, rawProfile } = user
    const context = createUserContext(
      {
        userId,
        username,
        email,
        name,
        provider: provider.id,
        // Shared by the requests of one session: frozen, so none can change what the next sees.
        scopes: Object.freeze(scopes),
        clientId: token.clientId,
        rawProfile,
        attributes: Object.freeze(userAttributes(user)),
      },
      upstream.accessToken,
    )
    return { context, logged: Object.freeze({ username, userId, provider: provider.id, name, email }) }
  }
}
