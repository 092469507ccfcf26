import * as oauth from 'oauth4webapi'
import { UpstreamResponseError } from '../errors/upstream-error.js'
import { assertionSigningKey, type ClientAssertionKey } from './private-key-jwt.js'

/** How we authenticate to an upstream token endpoint (RFC 6749 §2.3.1, OIDC Core §9). */
export type UpstreamClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'

/** The methods we can use, in the order we prefer them when the configuration does not say. */
export const UPSTREAM_CLIENT_AUTH_METHODS: readonly UpstreamClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
]

/**
 * The one client authentication method for a provider, chosen once: the configured
 * `token_endpoint_auth_method` if there is one, else the first of `UPSTREAM_CLIENT_AUTH_METHODS`
 * the discovery document's `token_endpoint_auth_methods_supported` lists (OIDC Discovery §3: when
 * it is absent the default is `client_secret_basic`), skipping `private_key_jwt` when no key is
 * configured. The caller keeps the result for the life of the process: a failed request never
 * changes it (one user's `/revoke`, or one transient `invalid_client`, must not switch the method
 * every later sign-in uses).
 */
export function chooseClientAuthMethod(
  provider: string,
  configured: UpstreamClientAuthMethod | undefined,
  supported: readonly string[],
  hasPrivateKey: boolean,
): UpstreamClientAuthMethod {
  if (configured) return configured
  const usable = UPSTREAM_CLIENT_AUTH_METHODS.filter(
    (method) => supported.includes(method) && (method !== 'private_key_jwt' || hasPrivateKey),
  )
  const chosen = usable[0]
  if (chosen) return chosen
  throw new UpstreamResponseError(
    provider,
    `${provider} supports none of the client authentication methods we can use (${supported.join(', ')}); set token_endpoint_auth_method and, for private_key_jwt, private_key`,
  )
}

/** The library's client authentication for the chosen method (RFC 6749 §2.3.1, OIDC Core §9). */
export async function clientAuthFor(
  provider: string,
  method: UpstreamClientAuthMethod,
  clientSecret: string,
  privateKey: ClientAssertionKey | undefined,
): Promise<oauth.ClientAuth> {
  if (method === 'private_key_jwt') {
    if (!privateKey)
      throw new UpstreamResponseError(provider, `${provider}: private_key_jwt needs private_key`)
    const signing = (await assertionSigningKey(privateKey)) as Parameters<typeof oauth.PrivateKeyJwt>[0]
    // The header names the algorithm of the configured key as before (`EdDSA`, not the newer `Ed25519`).
    return oauth.PrivateKeyJwt(signing, {
      [oauth.modifyAssertion]: (header) => {
        header.alg = privateKey.alg
      },
    })
  }
  if (!clientSecret) throw new UpstreamResponseError(provider, `${provider}: ${method} needs client_secret`)
  if (method === 'client_secret_post') return oauth.ClientSecretPost(clientSecret)
  return oauth.ClientSecretBasic(clientSecret)
}
