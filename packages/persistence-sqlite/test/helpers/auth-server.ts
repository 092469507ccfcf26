import { randomBytes } from 'node:crypto'
import { type Clock, mxcpAuth, type OAuthStore, requireUser, validateAuthConfig } from '@mxcp/auth-core'
import { sha256Base64Url } from '@mxcp/auth-core/store-kit'
import { CookieJar } from '@mxcp/testing/browser/cookie-jar'
import { type BrowseResult, HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import type { FakeIdp } from '@mxcp/testing/fake-idp/fake-idp'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { openSqliteStore, type SqliteStoreOptions } from '../../src/index.js'
import { fakeIdpProvider } from './fake-idp-provider.js'
import { injectFetch } from './inject-fetch.js'

export const BASE = 'https://mcp.test'
export const RESOURCE = `${BASE}/mcp`
export const CLIENT_REDIRECT = 'http://127.0.0.1:8999/callback'
/** A client from the configuration file: it must never be written to the database. */
export const CONFIGURED_CLIENT_ID = 'configured-client-from-config-yml'
const HOST = new URL(BASE).host

export interface ServerOptions {
  readonly path: string
  readonly idp: FakeIdp
  readonly clock: Clock
  readonly store?: Partial<SqliteStoreOptions>
}

export interface Registered {
  readonly clientId: string
  readonly clientSecret: string | undefined
}

export interface Authorization {
  readonly url: string
  readonly verifier: string
}

/**
 * What the `mxcp` server composes, on a given SQLite file: `mxcpAuth` with the SQLite store
 * (opened from `auth.persistence` as the server does) and a guarded `/mcp` that answers who
 * called. Requests go through `app.inject()`; the identity provider is a loopback server.
 */
export class AuthServer {
  readonly app: FastifyInstance
  readonly store: OAuthStore
  readonly #idp: FakeIdp

  private constructor(app: FastifyInstance, store: OAuthStore, idp: FakeIdp) {
    this.app = app
    this.store = store
    this.#idp = idp
  }

  static async start(options: ServerOptions): Promise<AuthServer> {
    const auth = validateAuthConfig({
      provider: 'github',
      github: { client_id: options.idp.clientId, client_secret: options.idp.clientSecret },
      persistence: { type: 'sqlite', path: options.path, encryption_key: 'restart-test-key' },
      clients: [
        {
          client_id: CONFIGURED_CLIENT_ID,
          client_secret: 'configured-secret',
          name: 'Configured',
          redirect_uris: [CLIENT_REDIRECT],
        },
      ],
    })
    const store = await openSqliteStore({
      path: auth.persistence?.path ?? options.path,
      encryptionKey: auth.persistence?.encryption_key,
      clock: options.clock,
      ...options.store,
    })
    const app = Fastify({ logger: false })
    await app.register(mxcpAuth, {
      auth,
      provider: fakeIdpProvider(options.idp, () => options.clock.now()),
      store,
      clock: options.clock,
      urls: { baseUrl: BASE },
    })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.get('/mcp', async (request) => {
        const { username, provider } = requireUser(request)
        return { username, provider }
      })
    })
    await app.ready()
    return new AuthServer(app, store, options.idp)
  }

  /** Stops the server the way a process exit would: the app, then the database. */
  async close(): Promise<void> {
    await this.app.close()
    await this.store.close()
  }

  /** A browser whose requests to BASE reach this server; pass a jar to continue another browser's session. */
  browser(jar?: CookieJar): HeadlessBrowser {
    return new HeadlessBrowser({ fetch: injectFetch(this.app, BASE), jar: jar ?? new CookieJar() })
  }

  /** `POST /register` (RFC 7591): a public client, or a confidential one with `client_secret_post`. */
  async register(confidential = false): Promise<Registered> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/register',
      headers: { host: HOST },
      payload: {
        client_name: 'Restart Test Client',
        redirect_uris: [CLIENT_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: confidential ? 'client_secret_post' : 'none',
      },
    })
    if (response.statusCode !== 201) throw new Error(`register: ${response.statusCode} ${response.body}`)
    const body = response.json() as { client_id: string; client_secret?: string }
    return { clientId: body.client_id, clientSecret: body.client_secret }
  }

  /** A PKCE S256 authorization request URL for `clientId`. */
  authorization(clientId: string): Authorization {
    const verifier = randomBytes(32).toString('base64url')
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: sha256Base64Url(verifier),
      code_challenge_method: 'S256',
      state: randomBytes(8).toString('hex'),
      scope: 'mxcp:access',
      resource: RESOURCE,
    })
    return { url: `${BASE}/authorize?${query}`, verifier }
  }

  /** Consent and upstream login until the browser is sent to the identity provider (not followed). */
  startLogin(browser: HeadlessBrowser, authorization: Authorization): Promise<BrowseResult> {
    return browser.run(authorization.url, { stopAt: this.#idp.authorizeUrl, decision: 'approve' })
  }

  /** The whole browser part: consent, the provider, our callback, up to the client's redirect; returns the code. */
  async login(browser: HeadlessBrowser, start: string): Promise<string> {
    const result = await browser.run(start, { stopAt: CLIENT_REDIRECT, decision: 'approve' })
    const code = result.params.get('code')
    if (!code) throw new Error(`no code at the client: ${result.url.href}`)
    return code
  }

  /** `POST /token` with form parameters. */
  token(params: Record<string, string | undefined>): Promise<LightMyRequestResponse> {
    const fields = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined)
    return this.app.inject({
      method: 'POST',
      url: '/token',
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    })
  }

  /** Redeems an authorization code. */
  redeem(client: Registered, code: string, verifier: string): Promise<LightMyRequestResponse> {
    return this.token({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: CLIENT_REDIRECT,
      resource: RESOURCE,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    })
  }

  /** Uses a refresh token. */
  refresh(client: Registered, refreshToken: string): Promise<LightMyRequestResponse> {
    return this.token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      resource: RESOURCE,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    })
  }

  /** `GET` of an absolute URL of this server. */
  inject(url: string): Promise<LightMyRequestResponse> {
    const parsed = new URL(url)
    return this.app.inject({ method: 'GET', url: parsed.pathname + parsed.search, headers: { host: HOST } })
  }

  /** `GET /mcp` with a bearer token. */
  call(accessToken: string): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'GET',
      url: '/mcp',
      headers: { host: HOST, authorization: `Bearer ${accessToken}` },
    })
  }
}
