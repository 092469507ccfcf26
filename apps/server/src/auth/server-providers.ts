import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  type AuthConfig,
  ConfigError,
  type LoadConfigOptions,
  loadConfig,
  ProviderRegistry,
  type ProviderRuntimeOptions,
  type ResolvedConfig,
  type UpstreamProvider,
} from '@mxcp/auth-core'
import { isProviderDefinition, type ProviderDefinition } from '@mxcp/auth-core/provider-kit'
import { providerBlock } from '@mxcp/auth-core/server-kit'
import atlassian from '@mxcp/provider-atlassian'
import github from '@mxcp/provider-github'
import google from '@mxcp/provider-google'
import keycloak from '@mxcp/provider-keycloak'
import oidc from '@mxcp/provider-oidc'
import salesforce from '@mxcp/provider-salesforce'

/** The providers this server ships, each from its own package. */
export function builtinProviders(): ProviderRegistry {
  return new ProviderRegistry([github, atlassian, salesforce, keycloak, google, oidc])
}

/** Where `auth.provider_module` points: a path (relative to the project folder) or a package name. */
function moduleUrl(specifier: string, projectDir: string): string {
  if (specifier.startsWith('.') || isAbsolute(specifier))
    return pathToFileURL(resolve(projectDir, specifier)).href
  // A package name is found from the project folder, as the project's own code would find it.
  return pathToFileURL(createRequire(join(projectDir, 'package.json')).resolve(specifier)).href
}

/**
 * Loads `auth.provider_module`: a module whose default export (or `provider` export) is a
 * provider definition made with `defineProvider` of `@mxcp/auth-core/provider-kit`.
 */
export async function importProviderModule(
  specifier: string,
  projectDir: string,
  source: string,
): Promise<ProviderDefinition> {
  let loaded: Record<string, unknown>
  try {
    loaded = (await import(moduleUrl(specifier, projectDir))) as Record<string, unknown>
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
    throw new ConfigError(`${source}: auth.provider_module: cannot load "${specifier}": ${reason}`)
  }
  const definition = [loaded['default'], loaded['provider']].find(isProviderDefinition)
  if (!definition)
    throw new ConfigError(
      `${source}: auth.provider_module: "${specifier}" exports no provider definition (export default defineProvider({ … }))`,
    )
  return definition
}

/**
 * Loads the configuration (`loadConfig`) with every provider `auth.provider` may name: the
 * built-in ones, and the one `auth.provider_module` serves, so an operator can use a provider
 * package this server does not ship. Each provider's block is checked by its own schema.
 */
export async function loadServerConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const builtins = builtinProviders()
  const first = loadConfig({ ...options, providers: builtins })
  const specifier = first.auth.provider_module
  if (specifier === undefined) return first
  const source = first.userConfigPath ?? 'user config'
  const definition = await importProviderModule(specifier, first.projectDir, source)
  const providers = builtinProviders().register(definition)
  if (first.auth.provider !== 'none' && !providers.has(first.auth.provider))
    throw new ConfigError(
      `${source}: auth.provider "${first.auth.provider}" is not served by auth.provider_module "${specifier}" (it serves "${definition.id}")`,
    )
  return loadConfig({ ...options, providers })
}

/**
 * The upstream identity provider `auth.provider` names, built from its block by the registry the
 * configuration was loaded with (the built-in providers by default); undefined for `none`.
 */
export function createProvider(
  config: Pick<ResolvedConfig, 'auth' | 'providers'>,
  runtime: ProviderRuntimeOptions = {},
): UpstreamProvider | undefined {
  const auth: AuthConfig = config.auth
  if (auth.provider === 'none') return undefined
  return (config.providers ?? builtinProviders()).create(auth.provider, providerBlock(auth), runtime)
}
