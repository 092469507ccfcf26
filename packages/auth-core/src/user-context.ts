import { inspect } from 'node:util'

/** Who is calling: the same shape for every provider. */
export interface UserContext {
  readonly userId: string
  readonly username: string
  readonly email: string | undefined
  readonly name: string | undefined
  readonly provider: string
  readonly scopes: readonly string[]
  readonly clientId: string
  readonly rawProfile: Readonly<Record<string, unknown>>
  /**
   * Named claims and provider attributes, strings only, for SQL's `get_user_attribute(name)`:
   * the profile's top-level string, number and boolean claims, then the provider's attributes
   * (Salesforce `instance_url`, Atlassian `cloud_id`, `cloud_ids`, `site_urls`, Google `hd`).
   */
  readonly attributes: Readonly<Record<string, string>>
  /** The upstream provider's access token. Not enumerable: absent from JSON and logs. */
  readonly upstreamToken: string | undefined
  readonly anonymous: boolean
}

export type UserContextFields = Omit<UserContext, 'upstreamToken' | 'anonymous' | 'attributes'> & {
  readonly attributes?: Readonly<Record<string, string>> | undefined
}

/**
 * Builds a user context whose upstream token cannot leak through `JSON.stringify`,
 * `util.inspect` or a structured logger.
 */
export function createUserContext(fields: UserContextFields, upstreamToken: string | undefined): UserContext {
  const context = { ...fields, attributes: fields.attributes ?? {}, anonymous: false }
  Object.defineProperty(context, 'upstreamToken', { value: upstreamToken, enumerable: false })
  Object.defineProperty(context, inspect.custom, {
    value: () => ({ ...context, upstreamToken: upstreamToken === undefined ? undefined : '[redacted]' }),
    enumerable: false,
  })
  return Object.freeze(context) as UserContext
}

/** The caller when authentication is off (provider `none`). */
export const ANONYMOUS_USER: UserContext = Object.freeze({
  userId: '',
  username: '',
  email: undefined,
  name: undefined,
  provider: 'none',
  scopes: [],
  clientId: '',
  rawProfile: {},
  attributes: {},
  upstreamToken: undefined,
  anonymous: true,
})
