/**
 * What every stand-in can be told about our app at the provider and the user who signs in there.
 * The defaults (client credentials in the provider's format, the registered redirect URIs, what
 * happens to an unregistered one) are each stand-in's own, documented with its options.
 */
export interface StandInOptions<User> {
  /** Our OAuth client at the provider. */
  readonly clientId?: string
  readonly clientSecret?: string
  /** Registered redirect URIs. */
  readonly redirectUris?: readonly string[]
  /** The user who is logged in at the provider and approves: fields that differ from the default user. */
  readonly user?: Partial<User>
}
