import { randomBytes } from 'node:crypto'
import { type Clock, systemClock } from './clock.js'
import { type AuthConfig, providerBlock, validateAuthConfig } from './config/index.js'
import { MIN_SECRET_BYTES } from './defaults.js'
import type { AuthEventSink } from './events/auth-events.js'
import {
  normalizeBaseUrl,
  type ResolvedUrlOptions,
  resolveUrlOptions,
  type UrlOptions,
} from './http/base-url.js'
import { compileTrust } from './http/trusted-proxy.js'
import type { ProviderLog, UpstreamProvider } from './provider.js'
import type { ProviderDefinition } from './provider-kit/define-provider.js'
import { ProviderRegistry } from './provider-kit/provider-registry.js'
import { MemoryStore } from './store/memory-store.js'
import type { OAuthStore } from './store/oauth-store.js'

/** Options of the `mxcpAuth` plugin. */
export interface MxcpAuthOptions {
  /** The validated `auth` block (`validateAuthConfig` or `loadConfig().auth`). */
  readonly auth: AuthConfig
  /**
   * The identity providers `auth.provider` may name (a registry, or the definitions of provider
   * packages: `[github]`). The plugin checks the active provider's block (`auth.<id>`) with its
   * definition and builds the provider with the plugin's clock, `fetch` and logger; it routes the
   * provider's callback (`callback_path`).
   */
  readonly providers?: ProviderRegistry | readonly ProviderDefinition[] | undefined
  /** The `fetch` the provider built from `providers` uses towards the identity provider (tests, proxies). */
  readonly fetch?: typeof fetch | undefined
  /**
   * An identity provider built already, instead of `providers`. Its `id` must equal
   * `auth.provider`. One of the two is required unless `auth.provider` is `none`.
   */
  readonly provider?: UpstreamProvider | undefined
  /** Where OAuth state lives; default a new `MemoryStore` (closed with the app). A store passed in is closed by its owner. */
  readonly store?: OAuthStore | undefined
  /** How the server learns its external URL (`transport.http`: `base_url`, `scheme`, `trust_proxy`). */
  readonly urls?: UrlOptions | undefined
  /** Path of the MCP endpoint; the protected resource is `${base}${mcpPath}` (default `/mcp`). */
  readonly mcpPath?: string | undefined
  readonly clock?: Clock | undefined
  /**
   * Key for what the plugin signs (the consent CSRF token), at least 32 bytes. Default: random per
   * process. Replicas behind one load balancer must share it.
   */
  readonly secret?: Buffer | undefined
  /**
   * Trust anchors (PEM certificates) for fetching Client ID Metadata Documents and their keys,
   * used instead of Node's bundled roots (a private CA, tests). Default: Node's roots plus
   * `NODE_EXTRA_CA_CERTS`.
   */
  readonly clientMetadataCa?: string | readonly string[] | undefined
  /**
   * Receives every sign-in, token, replay and registration event (`AuthEvent`), e.g. for an audit
   * trail. Called on the request's path: it must queue, not block.
   */
  readonly events?: AuthEventSink | undefined
  /**
   * The registration prefix (`app.register(mxcpAuth, { prefix: '/oauth', … })`): every OAuth route
   * (`/authorize`, `/consent`, the provider callback, `/token`, `/register`, `/revoke`) is served
   * under it, and the issuer is `${base}${prefix}`. The authorization server metadata is then at
   * `/.well-known/oauth-authorization-server${prefix}` (RFC 8414 §3.1, path inserted); the protected
   * resource metadata stays derived from `mcpPath` (RFC 9728 §3.1). Default: none.
   */
  readonly prefix?: string | undefined
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly auth: AuthConfig
  /** Undefined exactly when `auth.provider` is `none`. */
  readonly provider: UpstreamProvider | undefined
  readonly store: OAuthStore
  /** True when the plugin created the store (and so closes it). */
  readonly ownsStore: boolean
  readonly urls: ResolvedUrlOptions
  readonly mcpPath: string
  /** The registration prefix of the OAuth routes: '' or a path like `/oauth` (no trailing slash). */
  readonly prefix: string
  readonly clock: Clock
  readonly secret: Buffer
}

/** Paths the authorization server owns; the provider's callback must not take one. */
const RESERVED_PATHS = ['/authorize', '/consent', '/token', '/register', '/revoke']

class OptionsError extends Error {
  constructor(message: string) {
    super(`mxcpAuth: ${message}`)
    this.name = 'OptionsError'
  }
}

function checkProvider(
  auth: AuthConfig,
  provider: UpstreamProvider | undefined,
  mcpPath: string,
  prefix: string,
): UpstreamProvider | undefined {
  if (auth.provider === 'none') return undefined
  if (!provider)
    throw new OptionsError(
      `auth.provider is "${auth.provider}" but no provider was given; pass options.providers or options.provider`,
    )
  for (const method of ['authorizationUrl', 'exchangeCode', 'userInfo'] as const) {
    if (typeof provider[method] !== 'function')
      throw new OptionsError(`the provider has no ${method}() method`)
  }
  if (provider.id !== auth.provider) {
    throw new OptionsError(
      `auth.provider is "${auth.provider}" but the provider given is "${String(provider.id)}"`,
    )
  }
  const path = provider.callbackPath
  if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path))
    throw new OptionsError(`the provider's callbackPath "${String(path)}" must be a path starting with /`)
  if (RESERVED_PATHS.includes(path) || `${prefix}${path}` === mcpPath || path.startsWith('/.well-known/')) {
    throw new OptionsError(
      `the provider's callbackPath "${path}" clashes with a route of the authorization server`,
    )
  }
  return provider
}

function checkPrefix(prefix: unknown): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return ''
  const trimmed = typeof prefix === 'string' ? prefix.replace(/\/$/, '') : prefix
  if (typeof trimmed !== 'string' || !/^\/[^?#\s]*[^/?#\s]$/.test(trimmed) || trimmed.includes('//')) {
    throw new OptionsError(
      `prefix "${String(prefix)}" must be a path like /oauth: starting with /, without a query or fragment`,
    )
  }
  return trimmed
}

function checkMcpPath(mcpPath: unknown): string {
  if (typeof mcpPath !== 'string' || !/^\/[^?#\s]*[^/?#\s]$/.test(mcpPath) || mcpPath.includes('//')) {
    throw new OptionsError(
      `mcpPath "${String(mcpPath)}" must be a path like /mcp: starting with /, without a trailing slash, query or fragment`,
    )
  }
  return mcpPath
}

function checkMcpPathFree(mcpPath: string, prefix: string): void {
  if (RESERVED_PATHS.some((path) => `${prefix}${path}` === mcpPath))
    throw new OptionsError(`mcpPath "${mcpPath}" clashes with a route of the authorization server`)
}

function checkUrls(urls: UrlOptions | undefined): ResolvedUrlOptions {
  if (!urls) return {}
  if (urls.scheme !== undefined && urls.scheme !== 'http' && urls.scheme !== 'https') {
    throw new OptionsError(`urls.scheme must be "http" or "https", got "${String(urls.scheme)}"`)
  }
  let baseUrl: string | undefined
  try {
    baseUrl = urls.baseUrl === undefined || urls.baseUrl === '' ? undefined : normalizeBaseUrl(urls.baseUrl)
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error))
  }
  if (
    urls.allowedHosts !== undefined &&
    (!Array.isArray(urls.allowedHosts) ||
      !urls.allowedHosts.every((host) => typeof host === 'string' && host !== ''))
  )
    throw new OptionsError('urls.allowedHosts must be a list of host names')
  try {
    return resolveUrlOptions({ ...urls, baseUrl }, compileTrust)
  } catch (error) {
    throw new OptionsError(`urls.trustProxy: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function checkSecret(secret: Buffer | undefined): Buffer {
  if (secret === undefined) return randomBytes(MIN_SECRET_BYTES)
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
    throw new OptionsError(`secret must be a Buffer of at least ${MIN_SECRET_BYTES} random bytes`)
  }
  return secret
}

function checkStore(store: OAuthStore | undefined): { store: OAuthStore; ownsStore: boolean } {
  if (store === undefined) return { store: new MemoryStore(), ownsStore: true }
  for (const method of [
    'getToken',
    'exchangeCode',
    'rotateRefresh',
    'consumeTransaction',
    'getSession',
  ] as const) {
    if (typeof store[method] !== 'function')
      throw new OptionsError(`store is not an OAuthStore (no ${method}() method)`)
  }
  return { store, ownsStore: false }
}

function registryOf(providers: MxcpAuthOptions['providers']): ProviderRegistry | undefined {
  if (providers === undefined || providers instanceof ProviderRegistry) return providers
  if (!Array.isArray(providers))
    throw new OptionsError('providers must be a ProviderRegistry or a list of provider definitions')
  return new ProviderRegistry(providers)
}

/**
 * The provider the plugin uses: the one given, else the one `providers` builds from the active
 * block, with the plugin's clock, `fetch` and logger.
 */
function providerFor(
  auth: AuthConfig,
  options: MxcpAuthOptions,
  registry: ProviderRegistry | undefined,
  runtime: { readonly clock: Clock; readonly log?: ProviderLog | undefined },
): UpstreamProvider | undefined {
  if (options.provider || !registry || auth.provider === 'none') return options.provider
  return registry.create(
    auth.provider,
    providerBlock(auth),
    { ...runtime, ...(options.fetch ? { fetch: options.fetch } : {}) },
    `auth.${auth.provider}`,
    'mxcpAuth options',
  )
}

/**
 * Validates the plugin options at registration and fills the defaults. Fails fast with a message
 * that names the option; insecure values (plain http off loopback, a short secret, callback paths
 * that shadow our routes) are refused, not warned about.
 */
export function resolveOptions(options: MxcpAuthOptions | undefined, log?: ProviderLog): ResolvedOptions {
  if (!options || typeof options !== 'object')
    throw new OptionsError('options are required: { auth, provider, … }')
  if (!options.auth)
    throw new OptionsError('options.auth is required (the validated auth block of the configuration)')
  const registry = registryOf(options.providers)
  const auth = validateAuthConfig(options.auth, 'auth', 'mxcpAuth options', registry)
  const mcpPath = checkMcpPath(options.mcpPath ?? '/mcp')
  const prefix = checkPrefix(options.prefix)
  checkMcpPathFree(mcpPath, prefix)
  const clock = options.clock ?? systemClock
  if (typeof clock.now !== 'function') throw new OptionsError('clock must have a now() method')
  const provider = checkProvider(auth, providerFor(auth, options, registry, { clock, log }), mcpPath, prefix)
  return {
    auth,
    provider,
    ...checkStore(options.store),
    urls: checkUrls(options.urls),
    mcpPath,
    prefix,
    clock,
    secret: checkSecret(options.secret),
  }
}
