import type { Static, TObject } from 'typebox'
import type { UpstreamTokens, UpstreamUser } from '../provider.js'
import type { OidcClient } from '../upstream/oidc-client.js'
import { defineProvider, type ProviderDefinition, type ProviderSettings } from './define-provider.js'
import {
  type OidcProviderSettings,
  oidcProviderBehaviour,
  oidcProviderClient,
} from './oidc-provider-client.js'
import { oidcRequired } from './option-schemas.js'

/** Where an OpenID Connect provider's client points, and what the provider adds to the common flow. */
export interface OidcProviderConnection {
  /** The issuer (discovery is `{issuer}/.well-known/openid-configuration`). */
  readonly issuer: string
  /** The claim that is the username (`get_username()`). */
  readonly usernameClaim: string
  /** A check before the client is first used (Keycloak's realm lookup); resolves to the client. */
  readonly ready?: ((client: OidcClient) => Promise<OidcClient>) | undefined
  /** What the provider adds to the user from the claims and tokens (Keycloak's groups and roles). */
  readonly extend?:
    | ((
        user: UpstreamUser,
        claims: Readonly<Record<string, unknown>>,
        tokens: UpstreamTokens,
      ) => UpstreamUser)
    | undefined
}

/**
 * An OpenID Connect provider: its id, label and schema (`oidcOptions` plus its own), what it needs
 * besides the client credentials, and where its issuer is.
 */
export interface OidcProviderSpec<Schema extends TObject> {
  readonly id: string
  readonly label: string
  readonly schema: Schema
  /** Required besides `clientId` and `clientSecret` (a `privateKey` instead under `private_key_jwt`). */
  readonly required: readonly (keyof Static<Schema> & string)[]
  connect(options: ProviderSettings<Schema>): OidcProviderConnection
}

/**
 * Declares an OpenID Connect provider on the shared client: the required options (a key instead
 * of a secret under `private_key_jwt`, OIDC Core §9) and the behaviour of `oidcProviderBehaviour`
 * on the issuer that `connect` names.
 */
export function defineOidcProvider<Schema extends TObject>(
  spec: OidcProviderSpec<Schema>,
): ProviderDefinition<Schema> {
  const required = oidcRequired('clientId', 'clientSecret', ...spec.required)
  return defineProvider({
    id: spec.id,
    label: spec.label,
    schema: spec.schema,
    required: required as (options: Static<Schema>) => (keyof Static<Schema> & string)[],
    create(options, runtime) {
      const connection = spec.connect(options)
      // `oidcOptions` are in every such schema; TypeScript cannot see them through `Schema`.
      const settings = options as unknown as OidcProviderSettings
      const client = oidcProviderClient(spec.id, connection.issuer, settings, runtime)
      const check = connection.ready
      const ready = check ? () => check(client) : async () => client
      return oidcProviderBehaviour(spec.id, ready, connection.usernameClaim, connection.extend)
    },
  })
}
