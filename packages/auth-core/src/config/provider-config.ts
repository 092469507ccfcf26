import { ConfigError } from './config-error.js'
import { PROVIDER_BLOCKS, type ProviderId } from './providers/index.js'

/**
 * Checks that a provider block has every field the provider cannot work without. Fails with
 * `GitHub OAuth configuration is incomplete: missing github.client_id, github.client_secret`.
 * Provider factories call it too, for apps that build providers without the loader.
 */
export function assertProviderConfig(
  id: ProviderId,
  block: Readonly<Record<string, unknown>> | undefined,
): void {
  const { label } = PROVIDER_BLOCKS[id]
  // OIDC Core §9: a client authenticating with `private_key_jwt` has a key instead of a secret.
  const required: readonly string[] =
    block?.['token_endpoint_auth_method'] === 'private_key_jwt'
      ? [...PROVIDER_BLOCKS[id].required.filter((field) => field !== 'client_secret'), 'private_key']
      : PROVIDER_BLOCKS[id].required
  const missing = required.filter((field) => {
    const value = block?.[field]
    return typeof value !== 'string' || value.trim() === ''
  })
  if (missing.length > 0) {
    const fields = missing.map((field) => `${id}.${field}`).join(', ')
    throw new ConfigError(`${label} OAuth configuration is incomplete: missing ${fields}`)
  }
}
