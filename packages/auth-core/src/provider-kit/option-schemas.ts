import Type, { type TOptional, type TSchema, type TString } from 'typebox'

/**
 * Pieces of provider option schemas that many providers share, so each provider's schema lists
 * only what is its own. Options are camelCase; the configuration spells them in snake_case.
 */

/** `clientId`, `clientSecret`: our static client at the provider (required by default). */
export const clientCredentials = {
  clientId: Type.Optional(Type.String()),
  clientSecret: Type.Optional(Type.String()),
}

/** A schema that fills a default: the option is always set in the options a provider is built from. */
export type WithDefault<Schema> = Schema & { readonly default: unknown }

/** An optional option whose schema has a `default`: the option is always set once checked. */
export function withDefault<Schema extends TSchema>(schema: Schema): WithDefault<TOptional<Schema>> {
  return Type.Optional(schema) as WithDefault<TOptional<Schema>>
}

/** A string option with a default (a URL, a scope). */
export function stringWithDefault(value: string): WithDefault<TOptional<TString>> {
  return withDefault(Type.String({ default: value }))
}

/** A string option without a default. */
export function optionalString(): TOptional<TString> {
  return Type.Optional(Type.String())
}

/** `scope`, `authUrl`, `tokenUrl` of a plain OAuth 2.0 provider, with the provider's defaults. */
export function oauth2Options(defaults: { scope: string; authUrl: string; tokenUrl: string }) {
  return {
    ...clientCredentials,
    scope: stringWithDefault(defaults.scope),
    authUrl: stringWithDefault(defaults.authUrl),
    tokenUrl: stringWithDefault(defaults.tokenUrl),
  }
}

/** The scope an OpenID Connect provider asks for unless configured otherwise (OIDC Core §5.4). */
export const OIDC_STANDARD_SCOPE = 'openid profile email'

/**
 * What every OpenID Connect provider has: credentials, the scope, which claim is the username,
 * and how we authenticate at the token endpoint (chosen once, never learned from failures).
 */
export function oidcOptions(defaults: { scope: string } = { scope: OIDC_STANDARD_SCOPE }) {
  return {
    ...clientCredentials,
    scope: stringWithDefault(defaults.scope),
    /**
     * The claim `get_username()` returns and `allowed_users` matches (with `sub`). Name a claim
     * only if the provider keeps it unique and stops users editing it (OIDC Core §5.1, §5.7).
     */
    usernameClaim: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    tokenEndpointAuthMethod: Type.Optional(
      Type.Union([
        Type.Literal('client_secret_basic'),
        Type.Literal('client_secret_post'),
        Type.Literal('private_key_jwt'),
      ]),
    ),
    /** PEM private key for `private_key_jwt` (RSA, EC P-256/P-384 or Ed25519). */
    privateKey: Type.Optional(Type.String()),
    /** The `kid` of `privateKey` as registered at the provider. */
    privateKeyId: Type.Optional(Type.String()),
  }
}

/**
 * The required options of an OpenID Connect provider: `fields` (which include `clientSecret`),
 * except that a client authenticating with `private_key_jwt` has a key instead of a secret
 * (OIDC Core §9).
 */
export function oidcRequired<Field extends string>(
  ...fields: Field[]
): (options: { readonly tokenEndpointAuthMethod?: string | undefined }) => (Field | 'privateKey')[] {
  return (options) =>
    options.tokenEndpointAuthMethod === 'private_key_jwt'
      ? [...fields.filter((field) => field !== 'clientSecret'), 'privateKey']
      : fields
}
