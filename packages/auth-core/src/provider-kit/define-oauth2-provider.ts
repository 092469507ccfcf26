import type { TObject } from 'typebox'
import type { ProviderRuntimeOptions } from '../provider.js'
import { type UpstreamHttpOptions, upstreamHttp } from '../upstream/http.js'
import {
  OAuth2Client,
  type OAuth2ClientOptions,
  type OAuth2ProviderSettings,
} from '../upstream/oauth2-client.js'
import {
  defineProvider,
  type ProviderBehaviour,
  type ProviderDefinition,
  type ProviderSettings,
} from './define-provider.js'
import { type TokenRequest, tokenGrants } from './token-grants.js'

/** What the kit builds for a plain OAuth 2.0 provider before its `create` runs. */
export interface OAuth2ProviderTools {
  /** The OAuth 2.0 client on the configured credentials and endpoints, with the plugin's runtime. */
  readonly client: OAuth2Client
  /** The guarded HTTP options (`fetch`, timeout) for the provider's own API calls. */
  readonly http: UpstreamHttpOptions
  /** The plugin's runtime (clock, `fetch`, logger). */
  readonly runtime: ProviderRuntimeOptions
}

/**
 * What a plain OAuth 2.0 provider builds: its behaviour except the code exchange and the refresh,
 * which the kit makes from `requestTokens` (its token requests, with the service's quirks).
 */
export type OAuth2ProviderParts = Omit<ProviderBehaviour, 'exchangeCode' | 'refresh'> & {
  readonly requestTokens: TokenRequest
}

/**
 * A plain OAuth 2.0 provider: its id, label and schema (the `oauth2Options` with the service's
 * defaults, plus its own), and what it does besides the common flow.
 */
export interface OAuth2ProviderSpec<Schema extends TObject> {
  readonly id: string
  readonly label: string
  readonly schema: Schema
  /** How token requests are encoded (RFC 6749 form by default). */
  readonly tokenRequestBody?: OAuth2ClientOptions['tokenRequestBody']
  /** What a refresh without a refresh token says (which scope or grant was missing). */
  readonly noRefreshToken: string
  create(options: ProviderSettings<Schema>, tools: OAuth2ProviderTools): OAuth2ProviderParts
}

/**
 * Declares a plain OAuth 2.0 provider (`clientId` and `clientSecret` required): its `create`
 * receives the OAuth 2.0 client and the HTTP options already built from the options and the
 * plugin's runtime, and the code exchange and refresh come from its `requestTokens`
 * (`tokenGrants`), so a provider package writes only what its service does differently.
 */
export function defineOAuth2Provider<Schema extends TObject>(
  spec: OAuth2ProviderSpec<Schema>,
): ProviderDefinition<Schema> {
  const clientOptions = spec.tokenRequestBody ? { tokenRequestBody: spec.tokenRequestBody } : {}
  return defineProvider({
    id: spec.id,
    label: spec.label,
    schema: spec.schema,
    create(options, runtime) {
      // `oauth2Options` are in every such schema; TypeScript cannot see them through `Schema`.
      const settings = options as unknown as OAuth2ProviderSettings
      const client = OAuth2Client.forProvider(spec.id, settings, runtime, clientOptions)
      const { requestTokens, ...behaviour } = spec.create(options, {
        client,
        http: upstreamHttp(spec.id, runtime),
        runtime,
      })
      return { ...behaviour, ...tokenGrants(spec.id, requestTokens, spec.noRefreshToken) }
    },
  })
}
