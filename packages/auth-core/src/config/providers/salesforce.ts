import Type from 'typebox'

/** `auth.salesforce`. For a sandbox use test.salesforce.com URLs; for My Domain, your domain's. */
export const SalesforceConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'api refresh_token openid profile email' })),
    callback_path: Type.Optional(Type.String({ default: '/salesforce/callback' })),
    auth_url: Type.Optional(
      Type.String({ default: 'https://login.salesforce.com/services/oauth2/authorize' }),
    ),
    token_url: Type.Optional(Type.String({ default: 'https://login.salesforce.com/services/oauth2/token' })),
    /** Default: the `userinfo` endpoint of the org that issued the token (from `instance_url`). */
    userinfo_url: Type.Optional(Type.String()),
    /** Default: `/services/oauth2/revoke` at the origin of `token_url`. */
    revoke_url: Type.Optional(Type.String()),
    /** The org's session timeout (Setup → Session Settings): how long a Salesforce access token lives. */
    session_timeout_seconds: Type.Optional(Type.Integer({ minimum: 300, maximum: 86400, default: 7200 })),
  },
  { additionalProperties: false },
)
