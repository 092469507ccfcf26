import Type from 'typebox'

/**
 * Settings every OpenID Connect provider block shares (`auth.oidc`, `auth.keycloak`): which claim
 * is the username, and how we authenticate at the token endpoint (chosen once, never learned
 * from failures).
 */
export const OidcIdentitySettings = {
  /**
   * The claim `get_username()` returns and `allowed_users` matches (with `sub`). Name a claim
   * only if the provider keeps it unique and stops users editing it (OIDC Core §5.1, §5.7).
   */
  username_claim: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  token_endpoint_auth_method: Type.Optional(
    Type.Union([
      Type.Literal('client_secret_basic'),
      Type.Literal('client_secret_post'),
      Type.Literal('private_key_jwt'),
    ]),
  ),
  /** PEM private key for `private_key_jwt` (RSA, EC P-256/P-384 or Ed25519). */
  private_key: Type.Optional(Type.String()),
  /** The `kid` of `private_key` as registered at the provider. */
  private_key_id: Type.Optional(Type.String()),
}
