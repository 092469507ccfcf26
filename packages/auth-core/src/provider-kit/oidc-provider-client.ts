import type { ProviderRuntimeOptions } from '../provider.js'
import type { UpstreamClientAuthMethod } from '../upstream/client-auth-method.js'
import { OidcClient } from '../upstream/oidc-client.js'
import { clientAssertionKey } from '../upstream/private-key-jwt.js'

/** The options of an OpenID Connect provider that `oidcProviderClient` reads (see `oidcOptions`). */
export interface OidcProviderSettings {
  readonly clientId?: string | undefined
  readonly clientSecret?: string | undefined
  readonly scope: string
  readonly tokenEndpointAuthMethod?: UpstreamClientAuthMethod | undefined
  readonly privateKey?: string | undefined
  readonly privateKeyId?: string | undefined
}

/** OIDC Core §3.1.2.1: `openid` MUST be in the scope, else it is plain OAuth without identity. */
function withOpenid(scope: string): string {
  return scope.split(/\s+/).includes('openid') ? scope : `openid ${scope}`.trim()
}

/**
 * The OpenID Connect client of a provider package, on `issuer`: its credentials or key
 * (`private_key_jwt`), the scope with `openid`, and the plugin's runtime (clock, `fetch`, logger).
 */
export function oidcProviderClient(
  provider: string,
  issuer: string,
  settings: OidcProviderSettings,
  runtime: ProviderRuntimeOptions,
): OidcClient {
  const clock = runtime.clock
  return new OidcClient({
    provider,
    issuer,
    clientId: settings.clientId ?? '',
    clientSecret: settings.clientSecret ?? '',
    scope: withOpenid(settings.scope),
    clientAuth: settings.tokenEndpointAuthMethod,
    privateKey: settings.privateKey
      ? clientAssertionKey(`${provider}.private_key`, settings.privateKey, settings.privateKeyId)
      : undefined,
    fetch: runtime.fetch,
    timeoutMs: runtime.timeoutMs,
    log: runtime.log,
    now: clock ? () => clock.now() : undefined,
  })
}
