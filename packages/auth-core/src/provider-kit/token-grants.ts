import { UpstreamOAuthError } from '../errors/upstream-error.js'
import type { UpstreamProvider, UpstreamTokens } from '../provider.js'

/** One request to a provider's token endpoint, in the provider's own way, answered as tokens. */
export type TokenRequest = (params: Record<string, string>) => Promise<UpstreamTokens>

/**
 * The code exchange (RFC 6749 §4.1.3 with the PKCE verifier, RFC 7636 §4.5) and the refresh
 * (RFC 6749 §6) of a provider whose token requests have quirks of their own (GitHub's answers,
 * Atlassian's JSON bodies, Salesforce's signature): both through `request`. A refresh keeps the
 * refresh token and the extras when the answer carries none (providers that do not rotate).
 */
export function tokenGrants(
  provider: string,
  request: TokenRequest,
  noRefreshToken = 'no refresh token',
): Required<Pick<UpstreamProvider, 'exchangeCode' | 'refresh'>> {
  return {
    exchangeCode: (code, codeVerifier, redirectUri) =>
      request({
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: redirectUri,
      }),
    async refresh(tokens) {
      if (!tokens.refreshToken) throw new UpstreamOAuthError(provider, 'invalid_grant', noRefreshToken)
      const fresh = await request({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
      return {
        ...fresh,
        refreshToken: fresh.refreshToken ?? tokens.refreshToken,
        extra: fresh.extra ?? tokens.extra,
      }
    },
  }
}
