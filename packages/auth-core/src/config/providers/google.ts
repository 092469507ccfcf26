import Type from 'typebox'

/** `auth.google`. */
export const GoogleConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'openid profile email' })),
    callback_path: Type.Optional(Type.String({ default: '/google/callback' })),
    auth_url: Type.Optional(Type.String({ default: 'https://accounts.google.com/o/oauth2/v2/auth' })),
    token_url: Type.Optional(Type.String({ default: 'https://oauth2.googleapis.com/token' })),
    userinfo_url: Type.Optional(Type.String({ default: 'https://openidconnect.googleapis.com/v1/userinfo' })),
    revoke_url: Type.Optional(Type.String({ default: 'https://oauth2.googleapis.com/revoke' })),
    /** A Google Workspace domain: sent as `hd`, and only accounts whose `hd` claim equals it sign in. */
    hosted_domain: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)
