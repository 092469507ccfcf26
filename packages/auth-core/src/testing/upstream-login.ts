import assert from 'node:assert/strict'
import { randomToken, sha256Base64Url } from '../crypto.js'
import type { AuthorizationUrlParams, UpstreamProvider, UpstreamTokens } from '../provider.js'

/**
 * Plays the user at the upstream: from an authorization URL to the URL it sends the browser
 * back to (our callback with `code` or `error`). A stand-in's `followAuthorization` or
 * `followToCallback` from `@mxcp/testing` fits.
 */
export type FollowToCallback = (authorizationUrl: URL) => Promise<URL>

/** Our callback, as registered at the upstream, and how the user gets back to it. */
export interface UpstreamCallback {
  readonly redirectUri: string
  readonly follow: FollowToCallback
}

/** One login at the upstream, as the provider under test completed it. */
export interface UpstreamLogin {
  readonly upstream: UpstreamProvider
  readonly tokens: UpstreamTokens
  readonly code: string
  /** The PKCE verifier (RFC 7636 §4.1) the code was bound to. */
  readonly verifier: string
  /** The authorization URL the provider built. */
  readonly url: URL
}

/**
 * Builds `upstream`'s authorization URL for `request` and our callback (RFC 6749 §4.1.1) and
 * follows it as the user; returns where the upstream sent the browser back to.
 */
export async function followBack(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
  request: Omit<AuthorizationUrlParams, 'redirectUri'>,
): Promise<URL> {
  return callback.follow(await upstream.authorizationUrl({ ...request, redirectUri: callback.redirectUri }))
}

/**
 * The browser part of a login (state `our-state`, a fresh PKCE S256 pair) and the code
 * exchange (RFC 6749 §4.1.3), through `upstream`.
 */
export async function loginAt(
  upstream: UpstreamProvider,
  callback: UpstreamCallback,
): Promise<UpstreamLogin> {
  const verifier = randomToken()
  const url = await upstream.authorizationUrl({
    state: 'our-state',
    codeChallenge: sha256Base64Url(verifier),
    redirectUri: callback.redirectUri,
  })
  const back = await callback.follow(url)
  const code = back.searchParams.get('code')
  assert.ok(code, `no code in ${back.search}`)
  const tokens = await upstream.exchangeCode(code, verifier, callback.redirectUri)
  return { upstream, tokens, code, verifier, url }
}
