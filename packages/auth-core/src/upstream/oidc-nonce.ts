import { sha256Base64Url } from '../crypto.js'

/**
 * The `nonce` we send with an OpenID authorization request (OIDC Core §3.1.2.1), derived from the
 * PKCE challenge of the same request: `UpstreamProvider` carries no state of its own between
 * `authorizationUrl` and `exchangeCode`, but the code verifier comes back at exchange time, and
 * from it the challenge, and from that the nonce. The ID token is thereby bound to the one
 * transaction whose verifier we hold (OIDC Core §15.5.2), on top of what PKCE already binds.
 */
export function nonceFromChallenge(codeChallenge: string): string {
  return sha256Base64Url(`mxcp-oidc-nonce:${codeChallenge}`)
}

/** The nonce of the request whose PKCE verifier this is (S256, RFC 7636 §4.2). */
export function nonceFromVerifier(codeVerifier: string): string {
  return nonceFromChallenge(sha256Base64Url(codeVerifier))
}
