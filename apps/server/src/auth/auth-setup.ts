import {
  type AuthEventSink,
  type MxcpGuard,
  mxcpAuth,
  type OAuthStore,
  type ResolvedConfig,
  requireUser,
  signingSecretFrom,
  type TransportConfig,
  type UrlOptions,
  type UserContext,
} from '@mxcp/auth-core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { urlHost, WILDCARD_HOSTS } from '../server/base-url.js'
import { openStore } from './open-store.js'
import { createProvider } from './server-providers.js'

/**
 * The plugin's URL options from `transport.http`: `base_url`, `scheme`, `trust_proxy`, and the
 * hosts answered without `base_url`: the listen host (unless a wildcard address) and
 * `allowed_hosts` (the loopback names always are).
 */
export function serverUrlOptions(http: TransportConfig['http'], listenHost: string): UrlOptions {
  return {
    baseUrl: http.base_url,
    scheme: http.scheme,
    trustProxy: http.trust_proxy,
    allowedHosts: http.allowed_hosts,
    listenHost: WILDCARD_HOSTS.has(listenHost) ? undefined : urlHost(listenHost),
  }
}

/** What the MCP routes need from authentication. */
export interface AuthSetup {
  /** The bearer guard for `/mcp` (with provider `none`: lets everyone in as anonymous). */
  readonly guard: MxcpGuard
  readonly userOf: (request: FastifyRequest) => UserContext
  /** The configured store (`auth.persistence`); undefined when OAuth state is in memory. */
  readonly store: OAuthStore | undefined
}

/** What the server adds to authentication: where events go, and the provider's `fetch`. */
export interface AuthObservers {
  readonly events?: AuthEventSink | undefined
  readonly providerFetch?: ((provider: string) => typeof fetch) | undefined
}

/**
 * Registers `@mxcp/auth-core` on `app` as the configuration says: the provider `auth.provider`
 * names, the store `auth.persistence` names (closed when the app closes), and the external URL
 * from `transport.http` (`base_url`, `scheme`, `trust_proxy`; otherwise each request's Host).
 */
export async function setUpAuth(
  app: FastifyInstance,
  config: ResolvedConfig,
  mcpPath: string,
  listenHost: string = config.transport.http.host,
  observers: AuthObservers = {},
): Promise<AuthSetup> {
  const { auth } = config
  const { http } = config.transport
  const fetch = auth.provider === 'none' ? undefined : observers.providerFetch?.(auth.provider)
  // The provider logs what it does in the background (OpenID discovery retries) on the app's logger.
  const provider = createProvider(config, { log: app.log, ...(fetch && { fetch }) })
  const store = await openStore(auth, app.log)
  try {
    await app.register(mxcpAuth, {
      auth,
      provider,
      store,
      urls: serverUrlOptions(http, listenHost),
      mcpPath,
      events: observers.events,
      // Replicas share the encryption key, so they sign consent forms alike: a consent page served
      // by one replica can be approved on another.
      ...(auth.persistence?.encryption_key
        ? { secret: signingSecretFrom(auth.persistence.encryption_key) }
        : {}),
    })
  } catch (error) {
    await store?.close()
    throw error
  }
  // A store passed in is closed by its owner, once the last request has finished.
  if (store) app.addHook('onClose', async () => store.close())
  return { guard: app.mxcpGuard, userOf: requireUser, store }
}
