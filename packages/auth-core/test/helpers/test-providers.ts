import {
  defineProvider,
  OAuth2Client,
  oauth2Options,
  oidcOptions,
  oidcRequired,
  type ProviderBehaviour,
  Type,
  withDefault,
} from '../../src/provider-kit/index.js'

/**
 * A provider declared as a provider package declares one, shaped like GitHub's block (id,
 * label, defaults), for core's tests of the seam: core cannot depend on the provider packages.
 */
export const githubLike = defineProvider({
  id: 'github',
  label: 'GitHub',
  schema: Type.Object({
    ...oauth2Options({
      scope: 'user:email',
      authUrl: 'https://github.com/login/oauth/authorize',
      tokenUrl: 'https://github.com/login/oauth/access_token',
    }),
    sessionTimeoutSeconds: withDefault(Type.Integer({ minimum: 300, default: 7200 })),
  }),
  create(options, runtime): ProviderBehaviour {
    const client = OAuth2Client.forProvider('github', options, runtime)
    return {
      authorizationUrl: async (params) => client.authorizationUrl(params, options.scope),
      exchangeCode: (code, verifier, redirectUri) => client.exchangeCode(code, verifier, redirectUri),
      userInfo: async () => ({ userId: '1', username: 'octocat', rawProfile: {} }),
    }
  },
})

/** An OpenID-shaped provider: required options that depend on `token_endpoint_auth_method`. */
export const oidcLike = defineProvider({
  id: 'oidc',
  label: 'OIDC',
  schema: Type.Object({ ...oidcOptions({ scope: 'openid' }), issuer: Type.Optional(Type.String()) }),
  required: oidcRequired('clientId', 'clientSecret', 'issuer'),
  create: (): ProviderBehaviour => ({
    authorizationUrl: async () => new URL('https://op.example/authorize'),
    exchangeCode: async () => ({ accessToken: 'a' }),
    userInfo: async () => ({ userId: 's', username: 's', rawProfile: {} }),
  }),
})
