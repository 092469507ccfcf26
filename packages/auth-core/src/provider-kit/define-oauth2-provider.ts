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
 * A plain OAuth 2.0 provider: its id, label and schema (the `oauth2Options` with the service's
 * defaults, plus its own), and what it does besides the common flow.
 */
export interface OAuth2ProviderSpec<Schema extends TObject> {
  readonly id: string
  readonly label: string
  readonly schema: Schema
  /** How token requests are encoded (RFC 6749 form by default). */
  readonly tokenRequestBody?: OAuth2ClientOptions['tokenRequestBody']
  create(options: ProviderSettings<Schema>, tools: OAuth2ProviderTools): ProviderBehaviour
}

/**
 * Declares a plain OAuth 2.0 provider (`clientId` and `clientSecret` required): its `create`
 * receives the OAuth 2.0 client and the HTTP options already built from the options and the
 * plugin's runtime, so a provider package writes only what its service does differently.
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
      return spec.create(options, { client, http: upstreamHttp(spec.id, runtime), runtime })
    },
  })
}
