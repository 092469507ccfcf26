import { homedir } from 'node:os'
import { resolve } from 'node:path'
import { type ProviderRegistry, unknownProviderMessage } from '../provider-kit/provider-registry.js'
import { toYamlBlock } from '../provider-kit/yaml-keys.js'
import { type AuthConfig, AuthConfigSchema } from './auth-schema.js'
import { ConfigError } from './config-error.js'
import { validateWithSchema } from './validate.js'

/** Expands a leading `~/` to the home folder. */
export function expandHome(path: string, home = homedir()): string {
  return path === '~' ? home : path.startsWith('~/') ? resolve(home, path.slice(2)) : path
}

/** The `auth` keys that are not a provider's block. */
const GENERAL_KEYS = new Set(Object.keys(AuthConfigSchema.properties))

/**
 * Splits a raw `auth` block into its general keys and the blocks of providers: those of the
 * registered providers, and the active provider's (which a registry may not know yet). Any
 * other key stays with the general ones, where it is reported as unknown.
 */
function splitProviderBlocks(
  raw: unknown,
  providers: ProviderRegistry | undefined,
): { general: unknown; blocks: Map<string, unknown> } {
  const blocks = new Map<string, unknown>()
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { general: raw ?? {}, blocks }
  const active = Reflect.get(raw, 'provider')
  const general: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (!GENERAL_KEYS.has(key) && (key === active || providers?.has(key))) blocks.set(key, value)
    else general[key] = value
  }
  return { general, blocks }
}

/** The configuration block of provider `id` (`auth.<id>`), if there is one. */
export function providerBlock(
  auth: AuthConfig,
  id: string = auth.provider,
): Readonly<Record<string, unknown>> | undefined {
  const block: unknown = Reflect.get(auth, id)
  return typeof block === 'object' && block !== null ? (block as Record<string, unknown>) : undefined
}

/**
 * Checks the providers' blocks: the active one completely (schema, defaults, required options)
 * when its provider is registered; the other registered ones against their schema. Without a
 * registry, or while `provider_module` is still to be loaded, the active block is kept as given:
 * the provider checks it when it is built.
 */
function checkProviderBlocks(
  auth: AuthConfig,
  blocks: ReadonlyMap<string, unknown>,
  providers: ProviderRegistry | undefined,
  path: string,
  source: string,
): Record<string, unknown> {
  const checked: Record<string, unknown> = {}
  const active = auth.provider
  if (active !== 'none' && providers && !providers.has(active) && auth.provider_module === undefined)
    throw ConfigError.many(source, [`${path}.provider: ${unknownProviderMessage(active, providers.ids())}`])
  for (const [id, block] of blocks) {
    if (!providers?.has(id)) {
      checked[id] = block ?? {}
      continue
    }
    const options = providers.get(id).readBlock(block, `${path}.${id}`, source, { complete: id === active })
    checked[id] = toYamlBlock(options)
  }
  if (active !== 'none' && !(active in checked)) {
    // No block at all: the registered provider reports what it misses.
    checked[active] = providers?.has(active)
      ? toYamlBlock(providers.get(active).readBlock(undefined, `${path}.${active}`, source))
      : {}
  }
  return checked
}

/**
 * Validates an `auth` block (already interpolated), fills every default, and checks the
 * providers' blocks with `providers` (each block by its provider's own schema; an
 * `auth.provider` no registered provider serves fails, naming those that are). For apps that
 * embed the plugins without `mxcp-site.yml`.
 */
export function validateAuthConfig(
  raw: unknown,
  path = 'auth',
  source = 'auth config',
  providers?: ProviderRegistry,
): AuthConfig {
  const { general, blocks } = splitProviderBlocks(raw, providers)
  const auth = validateWithSchema<AuthConfig>(AuthConfigSchema, general, path, source)
  Object.assign(auth, checkProviderBlocks(auth, blocks, providers, path, source))
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
