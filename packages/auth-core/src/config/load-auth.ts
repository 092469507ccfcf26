import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { type AuthConfig, AuthConfigSchema } from './auth-schema.js'
import { assertProviderConfig } from './provider-config.js'
import { PROVIDER_BLOCKS, type ProviderId } from './providers/index.js'
import { validateWithSchema } from './validate.js'

/** Expands a leading `~/` to the home folder. */
export function expandHome(path: string, home = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? resolve(home, path.slice(2)) : path
}

/** `github:` followed only by a comment is YAML null: treat it as an empty block, so the error names the missing fields. */
function withEmptyBlocks(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw ?? {}
  const entries = Object.entries(raw).map(([key, value]) => [
    key,
    value === null && key in PROVIDER_BLOCKS ? {} : value,
  ])
  return Object.fromEntries(entries)
}

/**
 * Validates an `auth` block (already interpolated), fills every default, and checks the active
 * provider's block. For apps that embed the plugins without `mxcp-site.yml`.
 */
export function validateAuthConfig(raw: unknown, path = 'auth', source = 'auth config'): AuthConfig {
  const auth = validateWithSchema<AuthConfig>(AuthConfigSchema, withEmptyBlocks(raw), path, source)
  if (auth.provider !== 'none') {
    const id = auth.provider as ProviderId
    assertProviderConfig(id, auth[id])
    // Fill the provider block's own defaults (callback_path, URLs) now that we know it exists.
    const block = validateWithSchema<Record<string, unknown>>(
      PROVIDER_BLOCKS[id].schema,
      auth[id],
      `${path}.${id}`,
      source,
    )
    Object.assign(auth, { [id]: block })
  }
  auth.authorization ??= validateWithSchema(
    AuthConfigSchema.properties.authorization,
    {},
    `${path}.authorization`,
    source,
  )
  auth.rate_limit ??= validateWithSchema(
    AuthConfigSchema.properties.rate_limit,
    {},
    `${path}.rate_limit`,
    source,
  )
  auth.client_metadata ??= validateWithSchema(
    AuthConfigSchema.properties.client_metadata,
    {},
    `${path}.client_metadata`,
    source,
  )
  if (auth.persistence) auth.persistence.path = expandHome(auth.persistence.path)
  if (auth.persistence?.key_file !== undefined)
    auth.persistence.key_file = expandHome(auth.persistence.key_file)
  return auth
}
