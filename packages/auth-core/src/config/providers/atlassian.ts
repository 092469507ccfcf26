import Type from 'typebox'

/** `auth.atlassian` (OAuth 2.0 3LO). */
export const AtlassianConfigSchema = Type.Object(
  {
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ default: 'read:me read:jira-work read:jira-user offline_access' })),
    callback_path: Type.Optional(Type.String({ default: '/atlassian/callback' })),
    auth_url: Type.Optional(Type.String({ default: 'https://auth.atlassian.com/authorize' })),
    token_url: Type.Optional(Type.String({ default: 'https://auth.atlassian.com/oauth/token' })),
    userinfo_url: Type.Optional(Type.String({ default: 'https://api.atlassian.com/me' })),
  },
  { additionalProperties: false },
)
