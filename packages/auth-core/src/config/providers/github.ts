import Type from 'typebox'

/** `auth.github`. Defaults are GitHub.com's; point the URLs at GitHub Enterprise or a stand-in. */
export const GitHubConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'user:email' })),
    callback_path: Type.Optional(Type.String({ default: '/github/callback' })),
    auth_url: Type.Optional(Type.String({ default: 'https://github.com/login/oauth/authorize' })),
    token_url: Type.Optional(Type.String({ default: 'https://github.com/login/oauth/access_token' })),
    /** Base of the REST API: `/user`, `/user/emails`, `/user/orgs`, `/applications/{id}/token`. */
    api_url: Type.Optional(Type.String({ default: 'https://api.github.com' })),
  },
  { additionalProperties: false },
)
