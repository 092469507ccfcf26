import type { TokenEndpointResponse } from 'oauth4webapi'
import { UpstreamResponseError } from '../errors/upstream-error.js'
import type { UpstreamTokens } from '../provider.js'
import { MAX_ID_TOKEN_LENGTH } from './id-token.js'
import { peekJson, throwIfOAuthErrorBody } from './oauth4webapi-errors.js'
import type { OidcProviderMetadata } from './oidc-metadata.js'

/**
 * Our tokens from a token response oauth4webapi validated (RFC 6749 §5.1: `access_token` and a
 * `token_type` it knows are there, `expires_in` a number when present). We only use Bearer
 * tokens (RFC 6750): the library also accepts DPoP, which we never asked for and refuse here.
 */
export function tokensFromResponse(
  result: TokenEndpointResponse,
  nowMs: number,
  provider: string,
): UpstreamTokens {
  // The library lower-cases `token_type` (RFC 6749 §5.1: case-insensitive).
  if (result.token_type !== 'bearer')
    throw new UpstreamResponseError(
      provider,
      `${provider} token response has token_type ${JSON.stringify(result.token_type).slice(0, 40)}, not Bearer`,
    )
  const expiresIn = result.expires_in
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token || undefined,
    expiresAt: typeof expiresIn === 'number' && expiresIn > 0 ? nowMs + expiresIn * 1000 : undefined,
    idToken: result.id_token || undefined,
    scope: result.scope || undefined,
  }
}

/**
 * The claims of an ID token, decoded without any check: for one validated when it was received
 * (at the exchange or a refresh) and kept with the session, or to compare a refreshed one with it
 * before validation. Anything that is not a JWT with a JSON object payload is refused.
 */
export function decodeIdTokenClaims(idToken: string, provider: string): Record<string, unknown> {
  const payload = idToken.split('.')[1]
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
    if (typeof claims === 'object' && claims !== null && !Array.isArray(claims))
      return claims as Record<string, unknown>
  } catch {
    // refused below
  }
  throw new UpstreamResponseError(provider, `${provider} ID token is not a JWT`)
}

/**
 * The token response before the library reads it: an OAuth error in the body (any status) is
 * `UpstreamOAuthError`; an ID token over `MAX_ID_TOKEN_LENGTH` is refused (it would be stored
 * with the session); and an issuer that announces only ID token algorithms we refuse is named.
 * Returns the body (read from a clone), for what must be done before validation.
 */
export async function checkedTokenBody(
  response: Response,
  metadata: OidcProviderMetadata,
  provider: string,
  openid: boolean,
): Promise<Record<string, unknown>> {
  await throwIfOAuthErrorBody(response, provider)
  const body = (await peekJson(response)) ?? {}
  const idToken = body['id_token']
  if (typeof idToken === 'string' && idToken.length > MAX_ID_TOKEN_LENGTH)
    throw new UpstreamResponseError(
      provider,
      `${provider} ID token is over ${MAX_ID_TOKEN_LENGTH} characters`,
    )
  if (
    (idToken !== undefined || openid) &&
    metadata.server.id_token_signing_alg_values_supported?.length === 0
  )
    throw new UpstreamResponseError(
      provider,
      `${provider} ID token rejected: none of the announced algorithms (${metadata.idTokenSigningAlgs.join(', ')}) is accepted`,
    )
  return body
}
