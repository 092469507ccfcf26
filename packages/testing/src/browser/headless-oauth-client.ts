import { randomBytes } from 'node:crypto'
import { type OAuthClientProvider, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js'
import { type BrowseResult, type ConsentDecision, HeadlessBrowser } from './headless-browser.js'

/** A loopback redirect URI that nothing listens on: the browser stops before fetching it. */
export const HEADLESS_REDIRECT_URL = 'http://127.0.0.1:8999/callback'

export interface HeadlessOAuthClientOptions {
  readonly browser?: HeadlessBrowser
  readonly redirectUrl?: string
  readonly clientName?: string
  /** `none` (default, a public client) or a secret-based method. */
  readonly tokenEndpointAuthMethod?: 'none' | 'client_secret_post' | 'client_secret_basic'
  readonly grantTypes?: readonly string[]
  readonly scope?: string
  /** What the simulated user clicks on the consent page. */
  readonly decision?: ConsentDecision
  /** When set, the authorization response must carry `iss` equal to this (RFC 9207). */
  readonly expectedIssuer?: string
}

/**
 * An `OAuthClientProvider` for the real MCP SDK client that needs no browser and no callback
 * listener: `redirectToAuthorization` drives a `HeadlessBrowser` and leaves the resulting
 * authorization code in `pendingCode` (MCP-NOTES B.3). Everything is kept in memory.
 */
export class HeadlessOAuthClient implements OAuthClientProvider {
  readonly browser: HeadlessBrowser
  readonly #options: HeadlessOAuthClientOptions
  #client: OAuthClientInformationMixed | undefined
  #tokens: OAuthTokens | undefined
  #verifier: string | undefined
  #state: string | undefined
  /** The code of the last authorization run, once the browser reaches the redirect URI. */
  pendingCode: Promise<string> | undefined
  /** The last authorization run's final redirect (code, state, iss, or an error). */
  lastRedirect: BrowseResult | undefined
  /** Every authorization URL the SDK asked us to open. */
  readonly authorizationUrls: URL[] = []

  constructor(options: HeadlessOAuthClientOptions = {}) {
    this.#options = options
    this.browser = options.browser ?? new HeadlessBrowser()
  }

  get redirectUrl(): string {
    return this.#options.redirectUrl ?? HEADLESS_REDIRECT_URL
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.#options.clientName ?? 'headless-e2e',
      redirect_uris: [this.redirectUrl],
      grant_types: [...(this.#options.grantTypes ?? ['authorization_code', 'refresh_token'])],
      response_types: ['code'],
      token_endpoint_auth_method: this.#options.tokenEndpointAuthMethod ?? 'none',
      ...(this.#options.scope ? { scope: this.#options.scope } : {}),
    }
  }

  state(): string {
    this.#state = randomBytes(16).toString('base64url')
    return this.#state
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.#client = client
  }

  tokens(): OAuthTokens | undefined {
    return this.#tokens
  }

  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier
  }

  codeVerifier(): string {
    if (!this.#verifier) throw new Error('No PKCE code verifier was saved')
    return this.#verifier
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'client') this.#client = undefined
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined
    if (scope === 'all' || scope === 'verifier') this.#verifier = undefined
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrls.push(url)
    this.pendingCode = this.#authorize(url, this.#state)
    // The SDK does not await this; the test does. Avoid an unhandled rejection meanwhile.
    this.pendingCode.catch(() => {})
  }

  async #authorize(url: URL, expectedState: string | undefined): Promise<string> {
    const result = await this.browser.run(url, {
      stopAt: this.redirectUrl,
      decision: this.#options.decision ?? 'approve',
    })
    this.lastRedirect = result
    const { params } = result
    if (params.get('state') !== (expectedState ?? null))
      throw new Error('The authorization response state does not match')
    const issuer = this.#options.expectedIssuer
    if (issuer !== undefined && params.get('iss') !== issuer) {
      throw new Error(`The authorization response iss is ${params.get('iss')}, expected ${issuer}`)
    }
    const error = params.get('error')
    if (error)
      throw new Error(
        `Authorization failed: ${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`,
      )
    const code = params.get('code')
    if (!code) throw new Error('The authorization response has no code')
    return code
  }
}

/**
 * Connects the SDK client to `mcpUrl`, running the OAuth flow when the server asks for it:
 * `UnauthorizedError` → `finishAuth(code)` → a fresh `Client` and transport (a transport that
 * threw is already started and cannot be reused; MCP-NOTES B.2/B.3).
 */
export async function connectWithOAuth(
  mcpUrl: string | URL,
  provider: HeadlessOAuthClient,
  clientInfo: { name: string; version: string } = { name: 'headless-e2e', version: '1.0.0' },
): Promise<Client> {
  const url = new URL(mcpUrl)
  const first = new Client(clientInfo)
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider })
  try {
    await first.connect(transport)
    return first
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error
    if (!provider.pendingCode) throw error
    await transport.finishAuth(await provider.pendingCode)
    await first.close().catch(() => {})
    const second = new Client(clientInfo)
    await second.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))
    return second
  }
}
