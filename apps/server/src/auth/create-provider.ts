import type { AuthConfig, ProviderFactory, ProviderRuntimeOptions, UpstreamProvider } from '@mxcp/auth-core'
import atlassian from '@mxcp/provider-atlassian'
import github from '@mxcp/provider-github'
import google from '@mxcp/provider-google'
import keycloak from '@mxcp/provider-keycloak'
import oidc from '@mxcp/provider-oidc'
import salesforce from '@mxcp/provider-salesforce'

type ProviderId = Exclude<AuthConfig['provider'], 'none'>

/** Every provider `auth.provider` may name, each from its own package. */
const FACTORIES: { readonly [Id in ProviderId]: ProviderFactory<NonNullable<AuthConfig[Id]>> } = {
  github,
  atlassian,
  salesforce,
  keycloak,
  google,
  oidc,
}

function isProviderId(id: string): id is ProviderId {
  return Object.hasOwn(FACTORIES, id)
}

/** The upstream identity provider `auth.provider` names, built from its block; undefined for `none`. */
export function createProvider(
  auth: AuthConfig,
  runtime: ProviderRuntimeOptions = {},
): UpstreamProvider | undefined {
  const id = auth.provider
  if (id === 'none') return undefined
  if (!isProviderId(id)) throw new Error(`auth.provider "${id}" is not a provider this server knows`)
  const factory = FACTORIES[id] as ProviderFactory<unknown>
  // The loader has already checked that the active provider's block is present and complete.
  return factory(auth[id] ?? {}, runtime)
}
