import {
  asRecord,
  defineProvider,
  OAuth2Client,
  type ProviderBehaviour,
  stringField,
  stringWithDefault,
  Type,
  UpstreamResponseError,
  verifiedEmail,
} from '@mxcp/auth-core/provider-kit'

const ID = 'gitlab'

/**
 * The options of `auth.gitlab` (camelCase here; `client_id`, `base_url`… in the configuration).
 * `baseUrl` is gitlab.com, or a self-managed GitLab (or a stand-in on loopback).
 */
export const GitLabOptionsSchema = Type.Object({
  clientId: Type.Optional(Type.String()),
  clientSecret: Type.Optional(Type.String()),
  /** `read_user` lets `/api/v4/user` answer; add `openid` only if you need it elsewhere. */
  scope: stringWithDefault('read_user'),
  baseUrl: stringWithDefault('https://gitlab.com'),
})

/**
 * Sign-in with GitLab (docs.gitlab.com/api/oauth2): the authorization code flow with PKCE S256 at
 * `/oauth/authorize` and `/oauth/token`, the user from `GET /api/v4/user`, refresh (GitLab
 * rotates refresh tokens) and RFC 7009 revocation at `/oauth/revoke`.
 */
export const gitlab = defineProvider({
  id: ID,
  label: 'GitLab',
  schema: GitLabOptionsSchema,
  create(options, runtime): ProviderBehaviour {
    const base = options.baseUrl.replace(/\/+$/, '')
    const client = OAuth2Client.forProvider(
      ID,
      {
        ...options,
        authUrl: `${base}/oauth/authorize`,
        tokenUrl: `${base}/oauth/token`,
        revokeUrl: `${base}/oauth/revoke`,
      },
      runtime,
    )
    return {
      authorizationUrl: async (params) => client.authorizationUrl(params, options.scope),
      exchangeCode: (code, verifier, redirectUri) => client.exchangeCode(code, verifier, redirectUri),
      async userInfo(tokens) {
        const profile = asRecord(await client.getJson(`${base}/api/v4/user`, tokens.accessToken), ID, '/user')
        // The numeric `id` is the stable identity; a username can be changed and then reused.
        const userId = stringField(profile, 'id')
        const username = stringField(profile, 'username')
        if (!userId || !username)
          throw new UpstreamResponseError(ID, 'gitlab /api/v4/user has no id or username')
        return {
          userId,
          username,
          // GitLab sets `confirmed_at` once the primary address is confirmed; only then does it count.
          email: verifiedEmail(profile['email'], typeof profile['confirmed_at'] === 'string'),
          name: stringField(profile, 'name'),
          rawProfile: profile,
        }
      },
      refresh: (tokens) => client.refresh(tokens),
      revoke: (tokens) => client.revoke(tokens),
    }
  },
})
